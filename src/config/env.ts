import { z } from 'zod';
import path from 'node:path';

const boolish = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int('PORT must be a whole number')
    .min(1, 'PORT must be between 1 and 65535')
    .max(65535, 'PORT must be between 1 and 65535')
    .default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  YILIAN_DATA_DIR: z.string().min(1).default('./data'),
  /** Connections the server keeps to PostgreSQL (ignored on PGlite, which has one). */
  YILIAN_DB_POOL_SIZE: z.coerce
    .number({ error: 'YILIAN_DB_POOL_SIZE must be a number' })
    .int('YILIAN_DB_POOL_SIZE must be a whole number')
    .min(1, 'YILIAN_DB_POOL_SIZE must be between 1 and 200')
    .max(200, 'YILIAN_DB_POOL_SIZE must be between 1 and 200')
    .default(10),
  /**
   * How long a request waits for a free pooled connection before it fails (ms). A server whose connections are all
   * held never hangs: the waiting request is refused with 503 and its transaction rolled back.
   */
  YILIAN_DB_ACQUIRE_TIMEOUT_MS: z.coerce.number({ error: 'YILIAN_DB_ACQUIRE_TIMEOUT_MS must be a number' }).int().min(100).max(600_000).default(15_000),
  /** How long reference data (facilities, alliances, pairings, the catalogue) is cached per process (ms; 0 = never). */
  YILIAN_REFERENCE_CACHE_MS: z.coerce.number({ error: 'YILIAN_REFERENCE_CACHE_MS must be a number' }).int().min(0).max(86_400_000).default(30_000),
  YILIAN_ADMIN_PASSWORD: z.string().min(8, 'YILIAN_ADMIN_PASSWORD must be at least 8 characters').optional(),
  YILIAN_SEED_DEMO: boolish.default(true),
  YILIAN_DEMO_SEED: z.coerce.number().int().min(0).default(20261122),
  YILIAN_DEMO_RESIDENTS: z.coerce.number().int().min(0).max(2_000_000).optional(),
  YILIAN_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400 * 30).default(3600),
  YILIAN_SESSION_TTL_SECONDS: z.coerce.number().int().min(300).max(86_400 * 30).default(12 * 3600),
  YILIAN_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  YILIAN_PUBLIC_URL: z.string().url('YILIAN_PUBLIC_URL must be an absolute URL').optional(),
  /** Hosts on the local network that FHIR Subscriptions may call (comma-separated); others must be public. */
  YILIAN_SUBSCRIPTION_PRIVATE_HOSTS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  dbAcquireTimeoutMs: number;
  referenceCacheMs: number;
  adminPassword: string | undefined;
  seedDemo: boolean;
  demoSeed: number;
  demoResidents: number | undefined;
  tokenTtlSeconds: number;
  /** Loopback or private-network hosts a FHIR Subscription endpoint may name (see docs/fhir.md). */
  subscriptionPrivateHosts: string[];
  sessionTtlSeconds: number;
  bodyLimitBytes: number;
  publicUrl: string | undefined;
  logLevel: string;
};

/** Thrown with every bad variable listed, so an operator fixes them all in one go. */
export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" so `DATABASE_URL= npm start` falls back to PGlite.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(cleaned[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.YILIAN_DATA_DIR),
    dbPoolSize: e.YILIAN_DB_POOL_SIZE,
    dbAcquireTimeoutMs: e.YILIAN_DB_ACQUIRE_TIMEOUT_MS,
    referenceCacheMs: e.YILIAN_REFERENCE_CACHE_MS,
    adminPassword: e.YILIAN_ADMIN_PASSWORD,
    seedDemo: e.YILIAN_SEED_DEMO,
    demoSeed: e.YILIAN_DEMO_SEED,
    demoResidents: e.YILIAN_DEMO_RESIDENTS,
    tokenTtlSeconds: e.YILIAN_TOKEN_TTL_SECONDS,
    sessionTtlSeconds: e.YILIAN_SESSION_TTL_SECONDS,
    bodyLimitBytes: e.YILIAN_BODY_LIMIT_BYTES,
    publicUrl: e.YILIAN_PUBLIC_URL,
    subscriptionPrivateHosts: e.YILIAN_SUBSCRIPTION_PRIVATE_HOSTS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
  };
}
