import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createScratchDatabase } from '../../src/db/scratch-database.js';
import { loadConfig, type Config } from '../../src/config/env.js';
import { createDatabase, type Database } from '../../src/db/client.js';
import { ensureBaseData } from '../../src/db/seed/index.js';
import { seedDemoCounty } from '../../src/db/seed/demo-county.js';
import { buildApp } from '../../src/http/app.js';
import { buildServices, type Services } from '../../src/http/deps.js';
import { hashPassword } from '../../src/modules/identity/index.js';
import { ManualClock } from '../../src/shared/clock.js';

/** Which database the integration suite runs on: PostgreSQL when DATABASE_URL is set, else in-memory PGlite. */
export const databaseKind = process.env.DATABASE_URL ? 'postgres' : 'pglite';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  services: Services;
  clock: ManualClock;
  config: Config;
  /** Bearer token of a seeded user (demo password). */
  tokenFor(username: string, password?: string): Promise<string>;
  /** Sends a request with the user's bearer token. */
  as(username: string): (opts: { method?: string; url: string; payload?: unknown; headers?: Record<string, string> }) => Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const DEMO_PASSWORD = 'Yilian@2026';
const silentLog = { info: () => {} };

/**
 * A fresh database for one test file: an in-memory PGlite, or a new PostgreSQL database created on the server named
 * by DATABASE_URL and dropped at the end. Migrated, with base data and a small demo county.
 */
export async function createTestDatabase(pool: { poolSize?: number; acquireTimeoutMs?: number } = {}): Promise<{ database: Database; drop: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { database: await createDatabase({ dataDir: 'memory://' }), drop: async () => {} };
  const scratch = await createScratchDatabase(url, 'yilian_test');
  const database = await createDatabase({ databaseUrl: scratch.url, poolSize: pool.poolSize ?? 12, acquireTimeoutMs: pool.acquireTimeoutMs });
  return { database, drop: scratch.drop };
}

export async function createTestApp(
  opts: { residents?: number; seed?: number; now?: string; env?: Record<string, string>; pool?: { poolSize?: number; acquireTimeoutMs?: number } } = {},
): Promise<TestApp> {
  const { database, drop } = await createTestDatabase(opts.pool);
  await database.migrate();
  await ensureBaseData(database.db, silentLog);
  await seedDemoCounty(database.db, { seed: opts.seed ?? 7, residents: opts.residents ?? 400, hashPassword, now: new Date(opts.now ?? '2026-11-22T02:00:00Z') });
  const config = loadConfig({ NODE_ENV: 'test', YILIAN_DATA_DIR: '/nonexistent', LOG_LEVEL: 'silent', ...opts.env });
  const clock = new ManualClock(opts.now ?? '2026-11-22T02:00:00Z');
  const services = buildServices(database, config);
  await services.identity.ensureAdmin(DEMO_PASSWORD);
  const app = await buildApp({ database, config, clock, services });
  // Promises, not tokens: parallel requests of one user share one sign-in (and stay under the sign-in rate limit).
  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (username: string, password = DEMO_PASSWORD): Promise<string> => {
    const key = `${username}:${password}`;
    let token = tokens.get(key);
    if (!token) {
      token = (async () => {
        const res = await app.inject({ method: 'POST', url: '/auth/token', payload: new URLSearchParams({ grant_type: 'password', username, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        if (res.statusCode !== 200) throw new Error(`cannot sign in as ${username}: ${res.statusCode} ${res.body}`);
        return (res.json() as { access_token: string }).access_token;
      })();
      token.catch(() => tokens.delete(key));
      tokens.set(key, token);
    }
    return token;
  };
  return {
    app,
    database,
    services,
    clock,
    config,
    tokenFor,
    as: (username) => async (o) => {
      const token = await tokenFor(username);
      return app.inject({
        method: (o.method ?? 'GET') as 'GET',
        url: o.url,
        ...(o.payload === undefined ? {} : { payload: o.payload as string }),
        headers: { authorization: `Bearer ${token}`, ...(o.headers ?? {}) },
      });
    },
    close: async () => {
      await app.close();
      await database.close();
      await drop();
    },
  };
}
