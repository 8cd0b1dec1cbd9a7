import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { hostNamesFromOption, planHosts } from '../../src/lab/plan-names';
import { parseSubnet } from '../../src/lab/subnet';
import { ensureLabTls, parseAltNames, planLabTls, type LabTlsPlan } from '../../src/lab/tls';

/** The lab's TLS files made by the real openssl in a temporary folder (no lab needed). */
describe('lab TLS files (openssl)', function () {
  this.timeout(30_000);
  let work: string;
  let dir: string;

  function planFor(subnet: string, hosts = '3'): LabTlsPlan {
    return planLabTls(
      'tlsdbg',
      dir,
      planHosts('tlsdbg', hostNamesFromOption(hosts), parseSubnet(subnet)),
    );
  }

  function openssl(...args: string[]): string {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  const mode = (file: string) => fs.statSync(file).mode & 0o777;

  function snapshot(): Record<string, string> {
    const files: Record<string, string> = {};
    for (const entry of fs.readdirSync(dir).sort()) {
      files[entry] = fs.readFileSync(path.join(dir, entry), 'base64');
    }
    return files;
  }

  before(function () {
    if (spawnSync('openssl', ['version']).status !== 0) {
      if (process.env.CI === 'true') throw new Error('openssl is not installed');
      this.skip();
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-tls-'));
    dir = path.join(work, 'tls');
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('makes a CA, the site certificate and the database certificates, with their modes', async () => {
    const plan = planFor('10.231.9.0/24');
    const result = await ensureLabTls(plan);
    assert.deepEqual(result.made, [
      'CA (missing)',
      'site (missing)',
      'web-01 (missing)',
      'web-02 (missing)',
    ]);
    assert.deepEqual(Object.keys(snapshot()), [
      'ca.crt',
      'ca.key',
      'site.crt',
      'site.key',
      'web-01.crt',
      'web-01.key',
      'web-02.crt',
      'web-02.key',
    ]);
    assert.equal(mode(dir), 0o700);
    for (const stem of ['ca', 'site', 'web-01', 'web-02']) {
      assert.equal(mode(path.join(dir, `${stem}.key`)), 0o600, `${stem}.key`);
      assert.equal(mode(path.join(dir, `${stem}.crt`)), 0o644, `${stem}.crt`);
      // EC P-256, no passphrase (openssl reads it without one).
      assert.match(
        openssl(
          'pkey',
          '-in',
          path.join(dir, `${stem}.key`),
          '-noout',
          '-text',
          '-passin',
          'pass:',
        ),
        /ASN1 OID: prime256v1/,
      );
    }
  });

  it('the CA is a CA with the lab’s name; the others verify against it with the right purposes', () => {
    const ca = path.join(dir, 'ca.crt');
    const text = openssl('x509', '-in', ca, '-noout', '-text');
    assert.match(text, /Subject: CN = foobar-infra lab tlsdbg CA/);
    assert.match(text, /Basic Constraints: critical\n\s+CA:TRUE/);
    assert.match(text, /Key Usage: critical\n\s+Certificate Sign, CRL Sign/);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    const site = path.join(dir, 'site.crt');
    assert.match(openssl('verify', '-CAfile', ca, '-purpose', 'sslserver', site), /: OK/);
    for (const host of ['web-01', 'web-02']) {
      const cert = path.join(dir, `${host}.crt`);
      assert.match(openssl('verify', '-CAfile', ca, '-purpose', 'sslserver', cert), /: OK/);
      assert.match(openssl('verify', '-CAfile', ca, '-purpose', 'sslclient', cert), /: OK/);
      assert.match(openssl('x509', '-in', cert, '-noout', '-subject'), new RegExp(`CN = ${host}`));
    }
    assert.deepEqual(
      parseAltNames(openssl('x509', '-in', site, '-noout', '-ext', 'subjectAltName')),
      ['DNS:www.foobar.com', 'IP:10.231.9.11'],
    );
    assert.deepEqual(
      parseAltNames(
        openssl('x509', '-in', path.join(dir, 'web-02.crt'), '-noout', '-ext', 'subjectAltName'),
      ),
      ['DNS:web-02', 'IP:10.231.9.13'],
    );
    const siteText = openssl('x509', '-in', site, '-noout', '-text');
    assert.match(siteText, /Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    assert.match(siteText, /Issuer: CN = foobar-infra lab tlsdbg CA/);
    // 397 days.
    const dates = openssl('x509', '-in', site, '-noout', '-startdate', '-enddate');
    const [start, end] = dates
      .trim()
      .split('\n')
      .map((l) => Date.parse(l.replace(/^\w+=/, '')));
    assert.equal(Math.round((end - start) / 86_400_000), 397);
  });

  it('a TLS client that trusts only the CA accepts the site certificate for www.foobar.com', async () => {
    const server = tls.createServer(
      {
        key: fs.readFileSync(path.join(dir, 'site.key')),
        cert: fs.readFileSync(path.join(dir, 'site.crt')),
      },
      (socket) => socket.end('hello'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const received = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          {
            host: '127.0.0.1',
            port,
            servername: 'www.foobar.com',
            ca: fs.readFileSync(path.join(dir, 'ca.crt')),
          },
          () => {
            let data = '';
            socket.on('data', (chunk) => (data += chunk));
            socket.on('end', () => resolve(data));
          },
        );
        socket.on('error', reject);
      });
      assert.equal(received, 'hello');
    } finally {
      server.close();
    }
  });

  it('a second run keeps every file byte for byte', async () => {
    const before = snapshot();
    const result = await ensureLabTls(planFor('10.231.9.0/24'));
    assert.deepEqual(result.made, []);
    assert.deepEqual(snapshot(), before);
  });

  it('changed addresses make the site and database certificates again, signed by the same CA', async () => {
    const before = snapshot();
    const result = await ensureLabTls(planFor('10.231.8.0/24'));
    assert.deepEqual(
      result.made.map((m) => m.split(' ')[0]),
      ['site', 'web-01', 'web-02'],
    );
    assert.match(
      result.made[0],
      /names DNS:www\.foobar\.com, IP:10\.231\.9\.11, not DNS:www\.foobar\.com, IP:10\.231\.8\.11/,
    );
    const after = snapshot();
    assert.equal(after['ca.crt'], before['ca.crt']);
    assert.equal(after['ca.key'], before['ca.key']);
    assert.notEqual(after['site.crt'], before['site.crt']);
    assert.notEqual(after['site.key'], before['site.key']);
    assert.deepEqual(
      parseAltNames(
        openssl('x509', '-in', path.join(dir, 'site.crt'), '-noout', '-ext', 'subjectAltName'),
      ),
      ['DNS:www.foobar.com', 'IP:10.231.8.11'],
    );
    assert.match(
      openssl('verify', '-CAfile', path.join(dir, 'ca.crt'), path.join(dir, 'web-01.crt')),
      /: OK/,
    );
  });

  it('a new host gets its certificate; the others are kept', async () => {
    const before = snapshot();
    const result = await ensureLabTls(planFor('10.231.8.0/24', '4'));
    assert.deepEqual(result.made, ['web-03 (missing)']);
    const after = snapshot();
    for (const file of Object.keys(before)) assert.equal(after[file], before[file], file);
  });

  it('a key that no longer matches its certificate (a cut write) makes the pair again', async () => {
    fs.copyFileSync(path.join(dir, 'web-01.key'), path.join(dir, 'web-02.key'));
    const result = await ensureLabTls(planFor('10.231.8.0/24', '4'));
    assert.deepEqual(result.made, ['web-02 (its key does not match)']);
    assert.match(
      openssl('verify', '-CAfile', path.join(dir, 'ca.crt'), path.join(dir, 'web-02.crt')),
      /: OK/,
    );
  });

  it('a new CA makes every certificate again; leftovers of a cut run are removed', async () => {
    fs.rmSync(path.join(dir, 'ca.key'));
    fs.mkdirSync(path.join(dir, '.work-leftover'));
    fs.writeFileSync(path.join(dir, 'site.crt.tmp-99999'), 'half');
    const result = await ensureLabTls(planFor('10.231.8.0/24', '4'));
    assert.deepEqual(
      result.made.map((m) => m.split(' ')[0]),
      ['CA', 'site', 'web-01', 'web-02', 'web-03'],
    );
    assert.ok(
      result.made.slice(1).every((m) => /not signed by the lab CA/.test(m)),
      result.made.join('; '),
    );
    assert.deepEqual(
      fs.readdirSync(dir).filter((f) => f.startsWith('.') || f.includes('.tmp-')),
      [],
    );
    const ca = path.join(dir, 'ca.crt');
    for (const stem of ['site', 'web-01', 'web-02', 'web-03']) {
      assert.match(openssl('verify', '-CAfile', ca, path.join(dir, `${stem}.crt`)), /: OK/);
    }
  });
});
