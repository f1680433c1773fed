import type { Config } from '../config/env.js';
import { openPlatform, type Platform } from '../bootstrap.js';
import { DataDirLockedError } from '../db/client.js';
import { ensureBaseData } from '../db/seed/index.js';
import { FatalError, UsageError } from './errors.js';
import { say } from './output.js';
import { ServerClient } from './server-client.js';

export const CLI_LOCK_OWNER = 'yilian cli';

export type LockHolder = { pid: number; owner: string; url?: string };

/**
 * Where a command works: directly on the database, or through the running server that holds the embedded data
 * directory. PostgreSQL is always direct (it is built for many clients).
 */
export type Target = { kind: 'direct'; platform: Platform } | { kind: 'server'; holder: LockHolder & { url: string }; dataDir: string };

/**
 * Opens the configured database and migrates it. When the embedded data directory is held by a running server that
 * recorded its URL, returns that server instead if `allowServer`; otherwise stops with a message that says who
 * holds it. The directory is never opened while another live process holds it — that is what corrupts PGlite.
 */
export async function openTarget(config: Config, opts: { allowServer: boolean }): Promise<Target> {
  try {
    const platform = await openPlatform(config, CLI_LOCK_OWNER);
    return { kind: 'direct', platform };
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      const holder = e.holder;
      if (holder.url && opts.allowServer) return { kind: 'server', holder: { ...holder, url: holder.url }, dataDir: e.dataDir };
      throw new FatalError(lockedMessage(e.dataDir, holder));
    }
    if (config.databaseUrl) {
      throw new FatalError(`无法连接 PostgreSQL / cannot use the PostgreSQL database (DATABASE_URL): ${(e as Error).message}`);
    }
    throw new FatalError((e as Error).message);
  }
}

export function lockedMessage(dataDir: string, holder: LockHolder): string {
  const who = `${holder.owner}（pid ${holder.pid}）`;
  return holder.url
    ? `嵌入式数据库目录 ${dataDir} 正被运行中的服务器 ${who} 使用（${holder.url}），本命令不能在服务器运行时执行；请先停止服务器再运行。\n` +
        `The embedded database in ${dataDir} is held by the running server ${holder.owner} (pid ${holder.pid}) at ${holder.url}; ` +
        `this command cannot go through the server: stop the server first, then run it again.`
    : `嵌入式数据库目录 ${dataDir} 正被另一个进程 ${who} 使用（可能是正在启动的服务器或另一个 yilian 命令），未打开该目录以免损坏数据；请等待其结束或停止该进程后重试。\n` +
        `The embedded database in ${dataDir} is held by ${holder.owner} (pid ${holder.pid}) — a server starting up or another yilian command. ` +
        `The CLI did not open it (two processes on one PGlite directory corrupt it); wait for that process to finish or stop it, then retry.`;
}

/**
 * Base data every installation needs (divisions, the tier catalogue) and the `admin` account, exactly as the server
 * does on start, so a database prepared by the CLI is the same as one prepared by the server.
 */
export async function prepareDirect(platform: Platform, config: Config): Promise<void> {
  await ensureBaseData(platform.database.db, { info: (obj: unknown, msg?: string) => say(`  ${msg ?? ''} ${typeof obj === 'object' ? JSON.stringify(obj) : String(obj)}`) });
  const admin = await platform.services.identity.ensureAdmin(config.adminPassword);
  if (admin.generatedPassword) {
    // Printed once, as the server does: it is stored only as an argon2id hash.
    process.stdout.write(
      `\n  系统管理员账号已创建 / admin account created\n  username: admin\n  password: ${admin.generatedPassword}\n  (set YILIAN_ADMIN_PASSWORD to choose it; this is shown only once)\n\n`,
    );
  }
}

export interface ServerCredentials {
  adminUser?: string | undefined;
  adminPassword?: string | undefined;
}

/**
 * Checks that the server recorded in the lock answers. When it does not, the directory is still held by a live
 * process, so the CLI stops without opening it and says which process to look at.
 */
export async function reachServer(target: Extract<Target, { kind: 'server' }>): Promise<ServerClient> {
  const { holder, dataDir } = target;
  const client = new ServerClient(holder.url);
  try {
    await client.health();
  } catch (e) {
    throw new FatalError(
      `嵌入式数据库目录 ${dataDir} 被 ${holder.owner}（pid ${holder.pid}）占用，它登记的服务器地址 ${holder.url} 却没有响应（${(e as Error).message}）。` +
        `为避免损坏数据，未打开该目录。若服务器正在启动请稍后重试；若它已无响应，请停止进程 ${holder.pid}。\n` +
        `The data directory ${dataDir} is held by ${holder.owner} (pid ${holder.pid}), which recorded the server URL ${holder.url}, ` +
        `but nothing answers there (${(e as Error).message}). The CLI did not open the directory. If the server is starting, retry shortly; ` +
        `if it hangs, stop process ${holder.pid}.`,
    );
  }
  return client;
}

/** Signs in to the server that holds the data directory, with the credentials given on the command line or in the environment. */
export async function connectToServer(target: Extract<Target, { kind: 'server' }>, config: Config, creds: ServerCredentials): Promise<ServerClient> {
  const client = await reachServer(target);
  const { holder, dataDir } = target;
  const username = creds.adminUser || process.env.YILIAN_ADMIN_USER || 'admin';
  const password = creds.adminPassword || config.adminPassword;
  if (!password) {
    throw new UsageError(
      `服务器正在使用数据目录 ${dataDir}（${holder.url}），命令将通过服务器的 API 执行，需要登录：请提供 --admin-password（或环境变量 YILIAN_ADMIN_PASSWORD），必要时用 --admin-user 指定账号。\n` +
        `The server at ${holder.url} holds ${dataDir}; the CLI goes through its API and must sign in: pass --admin-password ` +
        `(or set YILIAN_ADMIN_PASSWORD) and --admin-user when the account is not "admin".`,
    );
  }
  await client.signIn(username, password);
  say(`服务器正在使用该数据目录，已通过其 API 执行 / the server holds the data directory: working through its API at ${holder.url} as ${username}`);
  return client;
}
