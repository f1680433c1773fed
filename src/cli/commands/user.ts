import { roleCodes, type RoleCode } from '../../contracts/codes.js';
import { userInputSchema } from '../../contracts/identity.js';
import type { Config } from '../../config/env.js';
import { DirectBackend, ServerBackend, type CliBackend } from '../backend.js';
import { FatalError, UsageError } from '../errors.js';
import { formatIssues } from '../import/fields.js';
import { print } from '../output.js';
import { connectToServer, openTarget, prepareDirect, type ServerCredentials } from '../target.js';
import { isAppError } from '../../shared/errors.js';

export interface UserAddOptions extends ServerCredentials {
  username: string;
  password?: string;
  passwordStdin?: boolean;
  role: string[];
  org?: string;
  displayName?: string;
  json?: boolean;
}

/** Roles whose work is tied to a facility; an account with one of them needs `--org`. */
const organizationlessRoles: readonly RoleCode[] = ['system-admin', 'commission-officer'];

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

export async function runUserAdd(opts: UserAddOptions, config: Config): Promise<void> {
  const roles = opts.role.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const unknown = roles.filter((r) => !(roleCodes as readonly string[]).includes(r));
  if (unknown.length) throw new UsageError(`未知角色 / unknown role: ${unknown.join(', ')}；可用角色 / roles: ${roleCodes.join(', ')}`);
  if (roles.length === 0) throw new UsageError(`请用 --role 指定至少一个角色 / give at least one --role: ${roleCodes.join(', ')}`);
  if (!opts.org && roles.some((r) => !organizationlessRoles.includes(r as RoleCode))) {
    throw new UsageError('该角色需要所属机构，请用 --org <机构标识> 指定 / these roles need an organization: pass --org <identifier>');
  }
  if (opts.password && opts.passwordStdin) throw new UsageError('--password 与 --password-stdin 只能用一个 / use one of --password and --password-stdin');
  const password = opts.passwordStdin ? await readStdin() : opts.password;
  if (!password) throw new UsageError('请用 --password 或 --password-stdin 提供密码 / give the password with --password or --password-stdin');

  const parsed = userInputSchema.safeParse({
    username: opts.username,
    displayName: opts.displayName ?? opts.username,
    password,
    roles,
    organization: opts.org ?? null,
  });
  if (!parsed.success) throw new UsageError(formatIssues(parsed.error.issues));

  const target = await openTarget(config, { allowServer: true });
  let backend: CliBackend;
  let close = async () => {};
  if (target.kind === 'direct') {
    close = () => target.platform.database.close();
    backend = new DirectBackend(target.platform);
  } else {
    backend = new ServerBackend(await connectToServer(target, config, opts));
  }
  try {
    if (target.kind === 'direct') await prepareDirect(target.platform, config);
    const user = await backend.createUser(parsed.data);
    if (opts.json) print(JSON.stringify(user));
    else {
      print(
        `账号已创建 / user created: ${user.username}（${user.displayName}） id ${user.id}\n` +
          `  角色 roles: ${user.roles.join(', ')}\n  机构 organization: ${user.organizationName ?? '—'}\n  (via ${backend.via})`,
      );
    }
  } catch (e) {
    // The service's refusal (username taken, unknown organization, no right to grant a role) is the answer, not a crash.
    if (isAppError(e)) throw new FatalError(`未能创建账号 / user not created: ${e.path && !e.message.includes(e.path) ? `${e.path}: ` : ''}${e.message}`);
    throw e;
  } finally {
    await close();
  }
}
