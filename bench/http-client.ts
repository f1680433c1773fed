/**
 * The load generators' HTTP client: node:http with keep-alive connections. Measured by bench/http-floor on this
 * machine, fetch costs the load generator ~0.5 ms of CPU per request and node:http ~0.15 ms; the load generator shares
 * the cores with the server it measures, so the cheaper client leaves more of them to the server and PostgreSQL.
 */
import http from 'node:http';

export interface HttpAnswer {
  status: number;
  ok: boolean;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export function httpRequest(method: string, url: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The same request through fetch, for comparing the two clients' cost (bench/http-floor). */
export async function fetchRequest(method: string, url: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  const r = await fetch(url, { method, headers, body });
  return { status: r.status, ok: r.ok, text: await r.text() };
}
