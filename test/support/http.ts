import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

export interface Reply {
  status: number;
  servedBy: string;
  body: string;
  headers?: http.IncomingHttpHeaders;
}

/**
 * One HTTP request to a lab address (the lab's own hosts only), bounded in
 * time. A connection error is a reply with status 0, so loops can count it.
 */
export function httpRequest(
  url: string,
  options: { method?: string; body?: string; ca?: string } = {},
): Promise<Reply> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = options.body
      ? { 'content-type': 'application/json' }
      : {};
    const secure = url.startsWith('https:');
    const req = (secure ? https : http).request(
      url,
      {
        method: options.method ?? 'GET',
        timeout: 5000,
        headers,
        // HTTPS is checked against the given CA (the lab's), never skipped.
        ...(secure && options.ca ? { ca: fs.readFileSync(options.ca) } : {}),
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            servedBy: String(res.headers['x-served-by'] ?? ''),
            headers: res.headers,
            body,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, servedBy: '', body: e.message }));
    if (options.body) req.write(options.body);
    req.end();
  });
}

/**
 * A GET run with curl on a lab host (e.g. the lb: the web hosts' firewall
 * lets only the lb reach Nginx). `ssh` is the lab's ssh runner.
 */
export async function httpFromHost(
  ssh: (host: string, command: string) => Promise<{ code: number | null; stdout: string }>,
  host: string,
  url: string,
): Promise<Reply> {
  const r = await ssh(host, `curl -s -m 5 -w '\\n%{http_code}' '${url.replace(/'/g, '')}'`);
  const at = r.stdout.lastIndexOf('\n');
  const status = Number(r.stdout.slice(at + 1)) || 0;
  return { status, servedBy: '', body: r.stdout.slice(0, at) };
}

/**
 * GET `url` (a lab address) over and over until stopped, `pauseMs` apart:
 * how many were made, and every answer that was not 200.
 */
export function requestLoop(
  url: string,
  options: { ca?: string; pauseMs?: number } = {},
): { stop(): Promise<{ count: number; failures: string[] }> } {
  let stop = false;
  const failures: string[] = [];
  let count = 0;
  const done = (async () => {
    while (!stop) {
      const r = await httpRequest(url, { ca: options.ca });
      count++;
      if (r.status !== 200) failures.push(`${r.status} ${r.body.slice(0, 200)}`);
      if (options.pauseMs) await new Promise((res) => setTimeout(res, options.pauseMs));
    }
  })();
  return {
    async stop() {
      stop = true;
      await done;
      return { count, failures };
    },
  };
}
