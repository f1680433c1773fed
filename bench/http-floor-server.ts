/**
 * The thinnest server that does a workflow step's least work: one HTTP request in, one TPC-B transaction (pgbench's
 * five statements: three updates, a read, an insert) out, JSON back. No auth, no validation, no audit. Run by
 * bench/http-floor.ts as a child process: FLOOR_DATABASE_URL, FLOOR_PORT, FLOOR_SERVER (node-http | fastify),
 * FLOOR_WORK (none | tpcb), FLOOR_POOL (10).
 */
import http from 'node:http';
import pg from 'pg';
import Fastify from 'fastify';

const port = Number(process.env.FLOOR_PORT);
const work = process.env.FLOOR_WORK ?? 'tpcb';
const pool = new pg.Pool({ connectionString: process.env.FLOOR_DATABASE_URL, max: Number(process.env.FLOOR_POOL ?? 10) });

interface Step {
  aid: number;
  tid: number;
  bid: number;
  delta: number;
}

/** pgbench's built-in TPC-B-like script, statement for statement, each a named prepared statement. */
async function tpcb(s: Step): Promise<number> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query({ name: 'u_acc', text: 'UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2', values: [s.delta, s.aid] });
    const r = await c.query<{ abalance: number }>({ name: 's_acc', text: 'SELECT abalance FROM pgbench_accounts WHERE aid = $1', values: [s.aid] });
    await c.query({ name: 'u_tel', text: 'UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2', values: [s.delta, s.tid] });
    await c.query({ name: 'u_br', text: 'UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2', values: [s.delta, s.bid] });
    await c.query({
      name: 'i_hist',
      text: 'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)',
      values: [s.tid, s.bid, s.aid, s.delta],
    });
    await c.query('COMMIT');
    return r.rows[0]?.abalance ?? 0;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

const answer = async (s: Step): Promise<{ balance: number }> => ({ balance: work === 'tpcb' ? await tpcb(s) : 0 });

if (process.env.FLOOR_SERVER === 'fastify') {
  const app = Fastify({ logger: false });
  app.post('/step', async (req) => answer(req.body as Step));
  await app.listen({ port, host: '127.0.0.1' });
} else {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Step).then(
        (body) => {
          const text = JSON.stringify(body);
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        },
        (e: Error) => res.writeHead(500).end(e.message),
      );
    });
  });
  server.listen(port, '127.0.0.1');
}
console.log('ready');
