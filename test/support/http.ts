import * as http from 'node:http';

export interface Reply {
  status: number;
  servedBy: string;
  body: string;
}

/**
 * One HTTP request to a lab address (the lab's own hosts only), bounded in
 * time. A connection error is a reply with status 0, so loops can count it.
 */
export function httpRequest(
  url: string,
  options: { method?: string; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = options.body
      ? { 'content-type': 'application/json' }
      : {};
    const req = http.request(
      url,
      { method: options.method ?? 'GET', timeout: 5000, headers },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            servedBy: String(res.headers['x-served-by'] ?? ''),
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
