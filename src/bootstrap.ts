import type { Config } from './config/env.js';
import { createDatabase, type Database } from './db/client.js';
import { buildServices, type Services } from './http/deps.js';

export interface Platform {
  database: Database;
  services: Services;
}

/** Opens the configured database (PostgreSQL when DATABASE_URL is set, else PGlite in the data directory) and migrates it. */
export async function openPlatform(config: Config, lockOwner = 'yilian server'): Promise<Platform> {
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, acquireTimeoutMs: config.dbAcquireTimeoutMs, lockOwner });
  try {
    await database.migrate();
  } catch (e) {
    await database.close();
    throw e;
  }
  return { database, services: buildServices(database, config) };
}
