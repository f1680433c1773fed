import type { Config } from '../config/env.js';
import type { Database } from '../db/client.js';
import type { Clock } from '../shared/clock.js';
import { AuditService } from '../modules/audit/index.js';
import { IdentityService } from '../modules/identity/index.js';
import { NetworkService } from '../modules/network/index.js';
import { PatientService } from '../modules/patient/index.js';
import { NotificationService } from '../modules/notification/index.js';
import { DeadlineService } from '../modules/deadline/index.js';
import { ActivityAnalyticsFeed, IndicatorService } from '../modules/indicators/index.js';
import { CapacityService, ReferralService, RoutingService, type DeadlinePort } from '../modules/referral/index.js';
import { DiagnosisService, DiagnosisStatisticsService, FileSystemBlobStorage, type BlobStorage } from '../modules/diagnosis/index.js';
import { ConsultationService } from '../modules/diagnosis/index.js';
import path from 'node:path';

/** Everything the HTTP layer needs, built once per app. Tests build it with their own database and clock. */
export interface Services {
  network: NetworkService;
  identity: IdentityService;
  audit: AuditService;
  patients: PatientService;
  routing: RoutingService;
  notifications: NotificationService;
  deadlines: DeadlineService;
  capacity: CapacityService;
  referrals: ReferralService;
  indicators: IndicatorService;
  diagnosis: DiagnosisService;
  diagnosisStatistics: DiagnosisStatisticsService;
  consultations: ConsultationService;
}

export interface AppDeps {
  database: Database;
  config: Config;
  clock: Clock;
  services: Services;
  /** Directory of the built web UI; absent → the API runs without it. */
  webRoot?: string | undefined;
}

export function buildServices(
  database: Database,
  config: Pick<Config, 'tokenTtlSeconds' | 'sessionTtlSeconds'> & { dataDir?: string; nodeEnv?: Config['nodeEnv']; referenceCacheMs?: number },
  opts: { diagnosisStorage?: BlobStorage; analyticsPath?: string } = {},
): Services {
  const network = new NetworkService(database.db, { referenceCacheMs: config.referenceCacheMs });
  const audit = new AuditService(database.db);
  const identity = new IdentityService(database.db, network, { tokenTtlSeconds: config.tokenTtlSeconds, sessionTtlSeconds: config.sessionTtlSeconds });
  const patients = new PatientService(database.db, identity, audit);
  const routing = new RoutingService(database.db, network, patients);
  const notifications = new NotificationService(database.db, identity);
  const deadlines = new DeadlineService(database.db, notifications, network);
  const capacity = new CapacityService(database.db, network);
  const deadlinePort: DeadlinePort = {
    start: (tx, input) => deadlines.start(tx, input),
    meet: (tx, type, id, step, at) => deadlines.meet(tx, type, id, step, at),
    cancelAll: (tx, type, id, at) => deadlines.cancelAll(tx, type, id, at),
    pause: (tx, type, id, at) => deadlines.pause(tx, type, id, at),
    resume: (tx, type, id, at) => deadlines.resume(tx, type, id, at),
    live: async (db, type, ids) => {
      const rows = await deadlines.liveFor(db, type, ids);
      return new Map([...rows].map(([id, d]) => [id, { subjectId: d.subjectId, step: d.step, dueAt: d.dueAt, state: d.state, overdueAt: d.overdueAt, escalationLevel: d.escalationLevel }]));
    },
    liveSql: (type, id) => deadlines.liveDeadlineSql(type, id),
    registerSubject: (handler) => deadlines.registerSubject(handler),
  };
  const referrals = new ReferralService(database.db, { network, patients, audit, deadlines: deadlinePort, notifications, capacity, routing });
  // An open (or finished) referral is a basis for the receiving facility to read the patient.
  patients.addAccessBasisProvider((actor, patientId) => referrals.referralBasisFor(actor, patientId));
  // The indicators' analytic store: a DuckDB file beside the database (in memory under test); opened on first use.
  const analyticsPath = opts.analyticsPath ?? (config.nodeEnv === 'test' ? ':memory:' : path.join(config.dataDir ?? './data', 'analytics', 'activity.duckdb'));
  const analytics = new ActivityAnalyticsFeed(database.db, { path: analyticsPath, claimDrainer: () => database.claimProcessRole('analytics-drainer') });
  const indicators = new IndicatorService(database.db, { network, audit, analytics });
  // Attachment bytes (DICOM, ECG, PDF, images) live under the data directory; metadata in the database.
  const diagnosisStorage = opts.diagnosisStorage ?? new FileSystemBlobStorage(path.join(config.dataDir ?? './data', 'diagnosis-files'));
  const diagnosis = new DiagnosisService(database.db, { network, patients, audit, deadlines, notifications, storage: diagnosisStorage });
  // A request to a center is a basis for the center's readers to read the patient.
  patients.addAccessBasisProvider((actor, patientId) => diagnosis.basisFor(actor, patientId));
  const diagnosisStatistics = new DiagnosisStatisticsService(database.db, { network });
  // Teleconsultation: requests of kind `consultation` to a consultation center; its experts read the patient as readers of that center.
  const consultations = new ConsultationService(database.db, { network, patients, audit, deadlines, notifications });
  return { network, identity, audit, patients, routing, notifications, deadlines, capacity, referrals, indicators, diagnosis, diagnosisStatistics, consultations };
}
