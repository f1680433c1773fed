import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env.js';

describe('configuration', () => {
  it('defaults to the embedded database on port 3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, databaseUrl: undefined, seedDemo: true, tokenTtlSeconds: 3600 });
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).databaseUrl).toBeUndefined();
  });

  it('lists every bad variable with what was given', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', YILIAN_SEED_DEMO: 'maybe', YILIAN_ADMIN_PASSWORD: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('"eighty"');
    expect(message).toContain('DATABASE_URL must start with postgres://');
    expect(message).toContain('YILIAN_SEED_DEMO');
    expect(message).toContain('YILIAN_ADMIN_PASSWORD must be at least 8 characters');
  });

  it('takes the PostgreSQL pool size, 10 by default, and refuses one out of range', () => {
    expect(loadConfig({}).dbPoolSize).toBe(10);
    expect(loadConfig({ YILIAN_DB_POOL_SIZE: '24' }).dbPoolSize).toBe(24);
    expect(() => loadConfig({ YILIAN_DB_POOL_SIZE: '0' })).toThrow(/YILIAN_DB_POOL_SIZE must be between 1 and 200/);
    expect(() => loadConfig({ YILIAN_DB_POOL_SIZE: 'many' })).toThrow(/YILIAN_DB_POOL_SIZE must be a number/);
  });

  it('refuses a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT must be between 1 and 65535/);
  });
});
