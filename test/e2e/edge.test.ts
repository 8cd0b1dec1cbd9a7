import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { httpRequest } from '../support/http';
import { useE2eLab, type E2eLab } from '../support/lab';

/**
 * Issue 20, findings 5 and 6 on real hosts: the edge sheds abuse. Slow
 * bodies are cut, one client's burst gets 429 while others are served,
 * oversized bodies get 413, the security headers are set, the redirect goes
 * to the site's own name, the logs show the real client, and the statistics
 * page is served over TLS without HAProxy's version.
 */
describe('e2e: the edge (HAProxy, Nginx, the application) sheds abuse', function () {
  this.timeout(10 * 60_000);
  let lab: E2eLab;
  let lb: string;
  const sh = async (host: string, command: string) => (await lab.ssh(host, command)).stdout;
  /** curl on this machine (an admin source), against lab addresses only. */
  const curl = (args: string[]) =>
    spawnSync('curl', ['-s', '-m', '10', ...args], { encoding: 'utf8', timeout: 20_000 });
  const post = (bytes: number) =>
    httpRequest(`https://${lb}/messages`, {
      method: 'POST',
      body: JSON.stringify({ text: 'x'.repeat(bytes) }),
      ca: lab.caPath,
    });

  before(async function () {
    lab = await useE2eLab(this);
    await lab.resetToSite();
    lb = lab.host('lb-01').address;
    for (let i = 0; i < 40; i++) {
      const r = await httpRequest(`https://${lb}/healthz`, { ca: lab.caPath });
      if (r.status === 200) break;
      await new Promise((res) => setTimeout(res, 250));
    }
  });

  it('every response carries the security headers, a CSP that fits the site, and HSTS', async () => {
    const page = await httpRequest(`https://${lb}/`, { ca: lab.caPath });
    assert.equal(page.status, 200, page.body);
    const h = page.headers!;
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.equal(h['x-frame-options'], 'DENY');
    assert.equal(h['referrer-policy'], 'strict-origin-when-cross-origin');
    assert.match(String(h['content-security-policy']), /default-src 'none'/);
    assert.match(String(h['content-security-policy']), /frame-ancestors 'none'/);
    assert.match(String(h['strict-transport-security']), /max-age=\d+/);
    // The page needs nothing the policy forbids: no inline script or style.
    assert.doesNotMatch(page.body, /<script|style="/);
  });

  it("http:// redirects to the site's own name, whatever Host the client sends", () => {
    const r = curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{redirect_url}',
      '-H',
      'Host: evil.example',
      `http://${lb}/a/b?c=1`,
    ]);
    assert.equal(r.stdout, '301 https://www.foobar.com/a/b?c=1');
  });

  it("the logs show the client's real address, not a forged X-Forwarded-For", async () => {
    const forged = '203.0.113.66';
    const r = curl([
      '--cacert',
      lab.caPath,
      '-H',
      `X-Forwarded-For: ${forged}`,
      '-D',
      '-',
      '-o',
      '/dev/null',
      `https://${lb}/healthz?edge-xff`,
    ]);
    const host = /^x-served-by: (\S+)/im.exec(r.stdout)?.[1];
    assert.ok(host, r.stdout);
    const me = lab.subnet.replace(/\.0\/\d+$/, '.1');
    const access = await sh(host, "sudo grep 'edge-xff' /var/log/nginx/access.log | tail -n 1");
    assert.match(access, new RegExp(`^${me.replace(/\./g, '\\.')} `), access);
    assert.ok(!access.includes(forged), access);
    const app = await sh(
      host,
      "sudo journalctl -u foobar-app -o cat --no-pager | grep 'edge-xff' | tail -n 1",
    );
    assert.match(app, new RegExp(`^${me.replace(/\./g, '\\.')} "GET`), app);
  });

  it('a body sent one byte every 8 s is cut off within 30 s: 408, and no server sees the request', async () => {
    // HAProxy ends the request at `timeout http-request` with 408. (It then
    // drains the socket for as long as the client keeps sending: one socket,
    // no stream, no server; the per-client connection limit bounds them.)
    const started = Date.now();
    const said = await new Promise<string>((resolve) => {
      let out = '';
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        socket.destroy();
        resolve(out);
      };
      const socket = tls.connect(
        { host: lb, port: 443, ca: fs.readFileSync(lab.caPath), servername: 'www.foobar.com' },
        () => {
          socket.write(
            'POST /messages?edge-slow HTTP/1.1\r\nHost: www.foobar.com\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
          );
          const drip = () => {
            socket.write('x');
            timer = setTimeout(drip, 8000);
          };
          drip();
        },
      );
      socket.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\r\n\r\n')) done();
      });
      socket.on('error', done);
      socket.on('close', done);
      setTimeout(done, 60_000);
    });
    const seconds = (Date.now() - started) / 1000;
    assert.match(said, /^HTTP\/1\.1 408/, said);
    assert.ok(seconds < 30, `the request was held ${seconds.toFixed(1)} s`);
    for (const web of ['web-01', 'web-02'])
      assert.equal(
        await sh(web, "sudo grep -c 'edge-slow' /var/log/nginx/access.log; true"),
        '0\n',
      );
  });

  it('a body over the limit gets 413 at the load balancer; one over what the application takes gets its 413, not a 502', async () => {
    const huge = await post(100 * 1024);
    assert.equal(huge.status, 413, huge.body);
    const big = await post(17 * 1024);
    assert.equal(big.status, 413, big.body);
    assert.match(big.body, /over 16384 bytes/);
    assert.equal((await post(10)).status, 201);
  });

  it('a burst from one client gets 429 while another client is still served', async () => {
    const url = `https://${lb}/healthz`;
    const many = Array.from({ length: 300 }, () => `-o /dev/null ${url}`).join(' ');
    const burst = await sh('web-02', `curl -sk -w '%{http_code}\\n' ${many}`);
    const codes = burst.trim().split('\n');
    assert.equal(codes.length, 300, burst);
    const limited = codes.filter((c) => c === '429').length;
    assert.ok(limited > 0, `no 429 in ${codes.length} requests`);
    assert.ok(
      codes.slice(0, 100).every((c) => c === '200'),
      'the first requests are served',
    );
    const other = await sh('web-01', `curl -sk -o /dev/null -w '%{http_code}' ${url}`);
    assert.equal(other, '200');
    assert.equal((await httpRequest(url, { ca: lab.caPath })).status, 200);
  });

  it('the statistics page is served over TLS only, with its password, without the version', async () => {
    const password = fs
      .readFileSync(
        `${lab.inventoryPath.replace(/inventory\.yml$/, '')}secrets/lb_stats_password`,
        'utf8',
      )
      .trim();
    const page = curl([
      '--cacert',
      lab.caPath,
      '-u',
      `stats:${password}`,
      `https://${lb}:8404/stats`,
    ]);
    assert.match(page.stdout, /Statistics Report/);
    assert.doesNotMatch(page.stdout, /HAProxy version|version \d/i);
    const plain = curl([
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-u',
      `stats:${password}`,
      `http://${lb}:8404/stats`,
    ]);
    assert.notEqual(plain.stdout, '200');
  });
});
