/**
 * `npm run bench -- worklist`: the diagnosis center's worklist query (GET /api/v1/diagnosis/requests?view=worklist)
 * through HTTP on PostgreSQL with a large history: BENCH_HISTORY historical (completed or cancelled) requests and
 * BENCH_OPEN open ones across the demo county hospital's four centers, each with its report deadline row (the page's
 * rows show it), inserted with INSERT … SELECT generate_series, then VACUUM ANALYZEd. Measured as center.reader with
 * BENCH_CLIENTS concurrent clients: the plain worklist and the filters overdue=true, assigned=me and q=<surname>; p50,
 * p95, p99 per variant, and the EXPLAIN (ANALYZE, BUFFERS) of the page and count statements (captured from the repository
 * itself, so they are the statements the server runs). The bulk insert fills `diagnosis_requests.due_at` as the service
 * does (the running report clock's due time), and the setup line reports how many rows disagree with their deadline (0).
 * Optionally (BENCH_CANDIDATE_INDEX set) a candidate index is then created in the bench's own database and the same
 * figures and plans are printed again — the schema and migrations are not touched.
 *
 * Environment: BENCH_DATABASE_URL (PostgreSQL server URL; default postgres://postgres@127.0.0.1:5432/test),
 * BENCH_HISTORY (1,000,000), BENCH_OPEN (10,000), BENCH_CLIENTS (4), BENCH_REQUESTS (400 per variant and index),
 * YILIAN_DEMO_RESIDENTS (5,000 here), BENCH_PORT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { sql, type SQL } from 'drizzle-orm';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { createDatabase, queryRows, type Database, type Db } from '../src/db/client.js';
import { DiagnosisRepository, type RequestListFilter } from '../src/modules/diagnosis/diagnosis.repository.js';

const repo = path.resolve(import.meta.dirname, '..');
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const PASSWORD = 'Yilian@2026';
/** The statuses the worklist shows (diagnosis.service.ts worklistStatuses). */
const WORKLIST_STATUSES = ['requested', 'in-progress', 'preliminary', 'awaiting-signoff'] as const;

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not ${v}`);
  return n;
};
const pct = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const r1 = (x: number): number => +x.toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the server (one node process, as bench/referral.ts starts it)

interface Server {
  child: ChildProcess;
  base: string;
}

async function startServer(databaseUrl: string, port: number): Promise<Server> {
  const base = `http://127.0.0.1:${port}`;
  if (await fetch(`${base}/fhir/metadata`).then(() => true, () => false)) throw new Error(`port ${port} is already in use: stop that server or set BENCH_PORT`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repo,
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, YILIAN_ADMIN_PASSWORD: 'bench-admin-pass',
      YILIAN_TOKEN_TTL_SECONDS: String(6 * 3600), YILIAN_DEMO_RESIDENTS: process.env.YILIAN_DEMO_RESIDENTS ?? '5000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (await fetch(`${base}/fhir/metadata`).then((r) => r.ok, () => false)) return { child, base };
    await sleep(200);
  }
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  process.kill(-s.child.pid!, 'SIGTERM');
  await exited;
}

async function call<T>(base: string, token: string, method: string, url: string, body?: unknown): Promise<T> {
  const r = await fetch(`${base}${url}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${url}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function signIn(base: string, username: string): Promise<string> {
  const r = await fetch(`${base}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username, password: PASSWORD }) });
  if (!r.ok) throw new Error(`sign-in ${username}: HTTP ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

// ---- data

interface Centers {
  countyOrg: string;
  /** In the order of the distribution below: imaging, ecg, pathology, lab. */
  ids: string[];
  readerUserIds: string[];
  meUserId: string;
}

/** Centers of 长汀县总医院 through the API (as alliance.admin), with center.reader and 11 more readers on each. */
async function createCenters(base: string, database: Database): Promise<Centers> {
  const admin = await signIn(base, 'alliance.admin');
  const [county] = await queryRows<{ id: string }>(database.db, sql`select id from organizations where name = '长汀县总医院'`);
  if (!county) throw new Error('长汀县总医院 not found');
  const [me] = await queryRows<{ id: string; password_hash: string }>(database.db, sql`select id, password_hash from users where username = 'center.reader'`);
  if (!me) throw new Error('center.reader not found');
  await database.db.execute(sql`insert into users (id, username, display_name, password_hash, organization_id)
    select 'bench-reader-' || i, 'bench.reader.' || i, '压测读片医师' || i, ${me.password_hash}, ${county.id} from generate_series(1, 11) i`);
  await database.db.execute(sql`insert into user_roles (user_id, role) select 'bench-reader-' || i, 'center-reader' from generate_series(1, 11) i`);
  const readerUserIds = [me.id, ...Array.from({ length: 11 }, (_, i) => `bench-reader-${i + 1}`)];
  const ids: string[] = [];
  for (const [type, name] of [['imaging', '长汀县影像诊断中心'], ['ecg', '长汀县心电诊断中心'], ['pathology', '长汀县病理诊断中心'], ['lab', '长汀县检验中心']] as const) {
    // The demo seed may already have created the county hospital's centers (and made center.reader a reader): reuse them.
    const existing = (await call<{ id: string; type: string }[]>(base, admin, 'GET', `/api/v1/diagnosis/centers?organizationId=${county.id}`)).find((x) => x.type === type);
    const c = existing ?? (await call<{ id: string }>(base, admin, 'POST', '/api/v1/diagnosis/centers', { organizationId: county.id, type, name }));
    const present = new Set((await call<{ userId: string }[]>(base, admin, 'GET', `/api/v1/diagnosis/centers/${c.id}/readers`)).map((r) => r.userId));
    for (const userId of readerUserIds.filter((u) => !present.has(u))) await call(base, admin, 'POST', `/api/v1/diagnosis/centers/${c.id}/readers`, { userId });
    ids.push(c.id);
  }
  return { countyOrg: county.id, ids, readerUserIds, meUserId: me.id };
}

/**
 * Requests as INSERT … SELECT generate_series, in chunks: centers 60 / 25 / 8 / 7 % (imaging, ECG, pathology, lab),
 * urgency 10 % emergency, 20 % urgent, 70 % routine, requesters among the county community's members, patients among the
 * demo residents. History: created uniformly over three years, 5 % cancelled, the rest reported after 0.2–1.3 × the
 * allowed time (≈ 80 % on time). Open: created in the last 16 h, 45 % queued (half of them assigned by the roster),
 * 35 % in progress, 10 % preliminary, 5 % awaiting sign-off, 5 % returned (clock paused).
 */
async function insertRequests(database: Database, c: Centers, kind: 'history' | 'open', from: number, to: number, now: Date): Promise<void> {
  const nowIso = now.toISOString();
  const readers = sql.param(c.readerUserIds);
  const centers = sql`(values (1, ${c.ids[0]!}, 'imaging', array['DR','US','CT','MR'], '胸部 CT 平扫'), (2, ${c.ids[1]!}, 'ecg', array['ECG-12'], '常规十二导联心电图'),
    (3, ${c.ids[2]!}, 'pathology', array['HISTO','FROZEN','CYTO'], '组织病理检查'), (4, ${c.ids[3]!}, 'lab', array['LAB-PANEL'], '生化全套')) as ctr(n, id, type, modalities, exam)`;
  const history = kind === 'history';
  const prefix = history ? 'bh-' : 'bo-';
  // Allowed minutes: the defaults of docs/deadlines.md (emergency/urgent 30 min, routine 8 h, pathology 24 h).
  const allowed = sql`(case when ctr.type = 'pathology' then 1440 when x.urgency = 'routine' then 480 else 30 end)`;
  const status = history
    ? sql`(case when x.r5 < 0.05 then 'cancelled' else 'completed' end)`
    : sql`(case when x.r5 < 0.45 then 'requested' when x.r5 < 0.80 then 'in-progress' when x.r5 < 0.90 then 'preliminary' when x.r5 < 0.95 then 'awaiting-signoff' else 'returned' end)`;
  const created = history
    ? sql`(${nowIso}::timestamptz - interval '3 days' - x.r2 * interval '1095 days')`
    : sql`(${nowIso}::timestamptz - x.r2 * interval '16 hours')`;
  const reader = sql`(${readers}::text[])[1 + floor(x.r4 * ${c.readerUserIds.length})::int]`;
  // One statement: the requests, and from what they return, the report deadline of each — met or cancelled for the
  // history, running (paused while returned) for open items. Open items' next check is far ahead and their escalations
  // are recorded as done, so the server's deadline worker stays idle during the measurement instead of escalating
  // thousands of synthetic items.
  await database.db.execute(sql`
    with ins as (
    insert into diagnosis_requests (id, number, kind, status, urgency, center_id, center_organization_id, requester_organization_id, requester_name,
      patient_id, county_code, modality, exam_type, clinical_question, assigned_user_id, claimed_by, claimed_at, submitted_at, completed_at, due_at, created_at, updated_at)
    select ${prefix} || x.g, 'DX-' || ${history ? 'H' : 'O'} || lpad(x.g::text, 8, '0'), 'exam', s.status, x.urgency, ctr.id, ${c.countyOrg},
      req.ids[1 + floor(x.r1 * array_length(req.ids, 1))::int], '压测申请医生', pat.ids[1 + floor(x.r3 * array_length(pat.ids, 1))::int], '350821',
      ctr.modalities[1 + floor(x.r6 * array_length(ctr.modalities, 1))::int], ctr.exam, '压测：临床问题',
      case when s.status in ('requested') and x.r6 < 0.5 then null when s.status = 'returned' then null else ${reader} end,
      case when s.status in ('in-progress', 'preliminary', 'awaiting-signoff') then ${reader} end,
      case when s.status in ('in-progress', 'preliminary', 'awaiting-signoff') then t.created + interval '5 minutes' end,
      t.created,
      case when s.status = 'completed' then t.created + ${allowed} * (0.2 + 1.1 * x.r4) * interval '1 minute' end,
      -- The running report clock's due time (DiagnosisRepository.syncDueAt); none for closed and returned (paused) ones.
      case when s.status in ('requested', 'in-progress', 'preliminary', 'awaiting-signoff') then t.created + ${allowed} * interval '1 minute' end,
      t.created, t.created
    from (select g, random() as r0, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6,
                 case when random() < 0.1 then 'emergency' when random() < 0.22 then 'urgent' else 'routine' end as urgency
          from generate_series(${from}::int, ${to}::int) g) x
    join ${centers} on ctr.n = case when x.r0 < 0.60 then 1 when x.r0 < 0.85 then 2 when x.r0 < 0.93 then 3 else 4 end
    cross join lateral (select ${created} as created) t
    cross join lateral (select ${status} as status) s
    cross join (select array_agg(m.organization_id order by m.organization_id) as ids from alliance_memberships m join alliances a on a.id = m.alliance_id
                where a.identifier = 'CT-YGT-2019' and m.valid_to is null) req
    cross join (select array_agg(id order by id) as ids from patients) pat
    returning id, center_id, urgency, status, created_at, completed_at)
    insert into deadlines (id, subject_type, subject_id, step, urgency, organization_id, ladder, state, started_at, due_at, paused_at, remaining_ms,
      overdue_at, escalation_level, next_check_at, met_at)
    select 'dl-' || r.id, 'diagnosis', r.id, ctr.type || '-report', r.urgency, ${c.countyOrg}, '[]'::jsonb,
      case r.status when 'completed' then 'met' when 'cancelled' then 'cancelled' when 'returned' then 'paused' else 'running' end,
      r.created_at, d.due,
      case when r.status = 'returned' then r.created_at + interval '10 minutes' end,
      case when r.status = 'returned' then 60000 end,
      case when r.status not in ('completed', 'cancelled', 'returned') and d.due < ${nowIso}::timestamptz then d.due
           when r.status = 'completed' and r.completed_at > d.due then d.due end,
      case when r.status not in ('completed', 'cancelled', 'returned') and d.due < ${nowIso}::timestamptz then 3 else 0 end,
      case when r.status in ('requested', 'in-progress', 'preliminary', 'awaiting-signoff') then ${nowIso}::timestamptz + interval '30 days' end,
      r.completed_at
    from ins r
    join ${centers} on ctr.id = r.center_id
    cross join lateral (select r.created_at + (case when ctr.type = 'pathology' then 1440 when r.urgency = 'routine' then 480 else 30 end) * interval '1 minute' as due) d`);
}

// ---- measuring

interface Variant {
  name: string;
  query: string;
  filter: RequestListFilter;
}

function variants(c: Centers, surname: string): Variant[] {
  const centerId = c.ids[0]!;
  const base: RequestListFilter = { requesterOrganizationIds: [], centerIds: [centerId], centerId, statuses: [...WORKLIST_STATUSES] };
  const url = `/api/v1/diagnosis/requests?view=worklist&centerId=${centerId}`;
  return [
    { name: 'worklist', query: url, filter: base },
    { name: 'overdue', query: `${url}&overdue=true`, filter: { ...base, overdueOnly: true } },
    { name: 'assigned-me', query: `${url}&assigned=me`, filter: { ...base, assignedTo: c.meUserId } },
    { name: 'q-surname', query: `${url}&q=${encodeURIComponent(surname)}`, filter: { ...base, q: surname } },
  ];
}

async function measure(base: string, token: string, v: Variant, clients: number, total: number): Promise<{ n: number; p50ms: number; p95ms: number; p99ms: number; maxMs: number; total: number }> {
  let totalRows = 0;
  for (let i = 0; i < 10; i++) totalRows = (await call<{ total: number }>(base, token, 'GET', v.query)).total; // warm-up
  const lat: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < total) {
      next++;
      const t0 = performance.now();
      await call(base, token, 'GET', v.query);
      lat.push(performance.now() - t0);
    }
  }));
  lat.sort((a, b) => a - b);
  return { n: lat.length, p50ms: r1(pct(lat, 50)), p95ms: r1(pct(lat, 95)), p99ms: r1(pct(lat, 99)), maxMs: r1(lat[lat.length - 1]!), total: totalRows };
}

/** The statements the repository sends for one page of the list (the page, then the count), without running them. */
async function capturedStatements(filter: RequestListFilter): Promise<SQL[]> {
  const captured: SQL[] = [];
  const fake = { execute: async (q: SQL) => (captured.push(q), { rows: [] }) } as unknown as Db;
  await new DiagnosisRepository(fake).list(filter, { offset: 0, limit: 20 });
  return captured;
}

async function explain(database: Database, filter: RequestListFilter): Promise<{ page: string[]; count: string[] }> {
  const [page, count] = await capturedStatements(filter);
  const plan = async (q: SQL) => (await queryRows<{ 'QUERY PLAN': string }>(database.db, sql`explain (analyze, buffers) ${q}`)).map((r) => r['QUERY PLAN']);
  return { page: await plan(page!), count: await plan(count!) };
}

export async function worklistBench(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL || DEFAULT_PG;
  if (!process.env.BENCH_DATABASE_URL) console.log(`# BENCH_DATABASE_URL is not set: using ${DEFAULT_PG} (this benchmark needs PostgreSQL)`);
  const historyN = num('BENCH_HISTORY', 1_000_000);
  const openN = num('BENCH_OPEN', 10_000);
  const clients = num('BENCH_CLIENTS', 4);
  const perVariant = num('BENCH_REQUESTS', 400);
  const port = num('BENCH_PORT', 39200) + 11;
  const candidate = process.env.BENCH_CANDIDATE_INDEX || '';
  console.log(`# load generator, server and PostgreSQL all run on this machine (${os.cpus().length} cores)`);
  const pgdb = await createScratchDatabase(serverUrl, 'yilian_bench');
  let database: Database | undefined;
  let server: Server | undefined;
  try {
    const t0 = performance.now();
    server = await startServer(pgdb.url, port);
    const seedS = (performance.now() - t0) / 1000;
    database = await createDatabase({ databaseUrl: pgdb.url, poolSize: 2 });
    const centers = await createCenters(server.base, database);
    const now = new Date();
    const t1 = performance.now();
    const chunk = 200_000;
    for (let from = 1; from <= historyN; from += chunk) {
      const to = Math.min(historyN, from + chunk - 1);
      await insertRequests(database, centers, 'history', from, to, now);
      console.log(`# history ${to.toLocaleString('en')} / ${historyN.toLocaleString('en')} (${r1((performance.now() - t1) / 1000)} s)`);
    }
    if (openN > 0) await insertRequests(database, centers, 'open', 1, openN, now);
    const loadS = (performance.now() - t1) / 1000;
    const t2 = performance.now();
    // VACUUM as well (what autovacuum does to a table in service): the visibility map lets the count be index-only.
    await database.db.execute(sql`vacuum analyze diagnosis_requests`);
    await database.db.execute(sql`analyze`);
    const analyzeS = (performance.now() - t2) / 1000;
    const counts = await queryRows<{ status: string; n: string }>(database.db, sql`select status, count(*)::text as n from diagnosis_requests group by status order by status`);
    const [sizes] = await queryRows<{ requests: string; deadlines: string }>(database.db,
      sql`select pg_size_pretty(pg_total_relation_size('diagnosis_requests')) as requests, pg_size_pretty(pg_total_relation_size('deadlines')) as deadlines`);
    const [imagingOpen] = await queryRows<{ n: string; overdue: string; mine: string }>(database.db, sql`
      select count(*)::text as n, count(d.overdue_at)::text as overdue,
             count(*) filter (where r.claimed_by = ${centers.meUserId} or (r.claimed_by is null and r.assigned_user_id = ${centers.meUserId}))::text as mine
      from diagnosis_requests r left join deadlines d on d.subject_type = 'diagnosis' and d.subject_id = r.id and d.state in ('running', 'paused')
      where r.center_id = ${centers.ids[0]!} and r.status in ('requested', 'in-progress', 'preliminary', 'awaiting-signoff')`);
    const [disagree] = await queryRows<{ n: string }>(database.db, sql`
      select count(*)::text as n from diagnosis_requests r
      where (r.status not in ('completed', 'cancelled') or r.due_at is not null) and r.due_at is distinct from (select min(d.due_at) from deadlines d where d.subject_type = 'diagnosis' and d.subject_id = r.id and d.state = 'running')`);
    console.log(JSON.stringify({
      bench: 'worklist-setup', dueAtDisagreeingWithDeadline: Number(disagree!.n), store: 'postgresql', residents: Number(process.env.YILIAN_DEMO_RESIDENTS ?? 5000), firstStartWithSeedS: r1(seedS),
      historical: historyN, open: openN, insertS: r1(loadS), rowsPerS: Math.round((historyN + openN) / loadS), analyzeS: r1(analyzeS),
      byStatus: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])), sizes, imagingCenterWorklist: { open: Number(imagingOpen!.n), overdue: Number(imagingOpen!.overdue), assignedToMe: Number(imagingOpen!.mine) },
    }));
    const token = await signIn(server.base, 'center.reader');
    const [surname] = await queryRows<{ s: string }>(database.db, sql`select left(name, 1) as s from patients group by 1 order by count(*) desc limit 1`);
    const vs = variants(centers, surname?.s ?? '王');
    for (const phase of candidate ? ['schema indexes', 'with candidate index'] as const : ['schema indexes'] as const) {
      if (phase === 'with candidate index') {
        await database.db.execute(sql.raw(candidate));
        await database.db.execute(sql`analyze diagnosis_requests`);
        console.log(JSON.stringify({ bench: 'worklist-candidate', index: candidate }));
      }
      for (const v of vs) {
        const m = await measure(server.base, token, v, clients, perVariant);
        console.log(JSON.stringify({ bench: 'worklist', store: 'postgresql', indexes: phase, variant: v.name, clients, historical: historyN, open: openN, ...m }));
      }
      for (const v of vs.slice(0, 2)) console.log(JSON.stringify({ bench: 'worklist-plan', indexes: phase, variant: v.name, plan: await explain(database, v.filter) }));
    }
  } finally {
    if (server) await stopServer(server);
    await database?.close();
    await pgdb.drop();
  }
}
