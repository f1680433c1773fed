import type { Config } from '../config/env.js';
import type { Database } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { AuditService } from '../modules/audit/index.js';
import { IdentityService } from '../modules/identity/index.js';
import { NetworkService } from '../modules/network/index.js';
import { PatientService } from '../modules/patient/index.js';

/** Everything the HTTP layer needs, built once per app. Tests build it with their own database and clock. */
export interface Services {
  network: NetworkService;
  identity: IdentityService;
  audit: AuditService;
  patients: PatientService;
}

export interface AppDeps {
  database: Database;
  config: Config;
  clock: Clock;
  services: Services;
  /** Directory of the built web UI; absent → the API runs without it. */
  webRoot?: string | undefined;
}

export function buildServices(database: Database, config: Pick<Config, 'tokenTtlSeconds' | 'sessionTtlSeconds'>): Services {
  const network = new NetworkService(database.db);
  const audit = new AuditService(database.db);
  const identity = new IdentityService(database.db, network, { tokenTtlSeconds: config.tokenTtlSeconds, sessionTtlSeconds: config.sessionTtlSeconds });
  const patients = new PatientService(database.db, identity, audit);
  return { network, identity, audit, patients };
}
