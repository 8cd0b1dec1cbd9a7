import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  checkHostKey,
  formatKnownHostsLine,
  hashHostName,
  knownHostName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/transport/known-hosts';
import { hostKeyAlgorithmsFor, keyTypeOf, privateKeyProblem } from '../../src/transport/ssh-key';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'transport');

/** The public key blob of keys/<name>.pub. */
function key(name: string): Buffer {
  const text = fs.readFileSync(path.join(FIXTURES, 'keys', `${name}.pub`), 'utf8');
  return Buffer.from(text.split(/\s+/)[1], 'base64');
}

interface Cases {
  check: { address: string; port: number; key: string; expect: Record<string, unknown> }[];
  knownTypes: { address: string; port: number; expect: string[] }[];
  problemLines: number[];
}

describe('transport: known_hosts', () => {
  const knownHosts = parseKnownHosts(fs.readFileSync(path.join(FIXTURES, 'known_hosts'), 'utf8'));
  const cases = JSON.parse(
    fs.readFileSync(path.join(FIXTURES, 'known_hosts.cases.json'), 'utf8'),
  ) as Cases;

  for (const c of cases.check) {
    it(`${knownHostName(c.address, c.port)} offering key ${c.key} → ${c.expect.status}`, () => {
      assert.deepEqual(checkHostKey(knownHosts, c.address, c.port, key(c.key)), c.expect);
    });
  }

  for (const c of cases.knownTypes) {
    it(`key types known for ${knownHostName(c.address, c.port)}`, () => {
      assert.deepEqual(knownKeyTypes(knownHosts, c.address, c.port), c.expect);
    });
  }

  it('reports unreadable lines by number and never matches them', () => {
    assert.deepEqual(
      knownHosts.problems.map((p) => p.line),
      cases.problemLines,
    );
  });

  it('hashes names as ssh-keygen -H does (HMAC-SHA1 keyed by the salt)', () => {
    const hashed = knownHosts.entries.find((e) => e.line === 4)!;
    assert.equal(hashed.hosts.kind, 'hashed');
    if (hashed.hosts.kind !== 'hashed') return;
    assert.deepEqual(hashHostName('10.0.0.7', hashed.hosts.salt), hashed.hosts.hash);
    assert.notDeepEqual(hashHostName('10.0.0.70', hashed.hosts.salt), hashed.hosts.hash);
  });

  it('names hosts off port 22 as [address]:port, lower case', () => {
    assert.equal(knownHostName('Web-01', 22), 'web-01');
    assert.equal(knownHostName('127.0.0.1', 2222), '[127.0.0.1]:2222');
  });

  it('formats the line --accept-new appends, which then reads back as trusted', () => {
    const line = formatKnownHostsLine('127.0.0.1', 2222, key('a'));
    assert.match(line, /^\[127\.0\.0\.1\]:2222 ssh-ed25519 AAAA\S+$/);
    assert.equal(formatKnownHostsLine('10.1.1.1', 22, key('b')).split(' ')[0], '10.1.1.1');
    const back = parseKnownHosts(`${line}\n`);
    assert.deepEqual(checkHostKey(back, '127.0.0.1', 2222, key('a')), {
      status: 'trusted',
      line: 1,
    });
  });

  it('reads the key type from the key itself', () => {
    assert.equal(keyTypeOf(key('a')), 'ssh-ed25519');
    assert.equal(keyTypeOf(key('b')), 'ecdsa-sha2-nistp256');
    assert.equal(keyTypeOf(key('c')), 'ssh-rsa');
    assert.equal(keyTypeOf(Buffer.from('nonsense')), '');
  });

  it('narrows the host-key offer to the known types (RSA with SHA-2 first)', () => {
    assert.deepEqual(hostKeyAlgorithmsFor(['ssh-rsa', 'ssh-ed25519']), [
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
      'ssh-ed25519',
    ]);
    assert.deepEqual(hostKeyAlgorithmsFor(['sk-ssh-ed25519@openssh.com']), []);
  });
});

describe('transport: private key files', () => {
  /** An OpenSSH private key container naming `cipher` (enough for the check). */
  const openssh = (cipher: string) => {
    const str = (s: string) => {
      const b = Buffer.alloc(4 + s.length);
      b.writeUInt32BE(s.length, 0);
      b.write(s, 4, 'latin1');
      return b;
    };
    const body = Buffer.concat([
      Buffer.from('openssh-key-v1\0', 'latin1'),
      str(cipher),
      str('none'),
    ]);
    const lines = body
      .toString('base64')
      .match(/.{1,70}/g)!
      .join('\n');
    return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`;
  };

  it('takes an unencrypted OpenSSH key', () =>
    assert.equal(privateKeyProblem(openssh('none')), undefined));
  it('sends a passphrase-protected OpenSSH key to ssh-agent', () =>
    assert.match(privateKeyProblem(openssh('aes256-ctr'))!, /passphrase.*ssh-agent/));
  it('sends a passphrase-protected PEM key to ssh-agent', () =>
    assert.match(
      privateKeyProblem(
        '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n',
      )!,
      /passphrase/,
    ));
  it('refuses a public key given as a private key', () =>
    assert.match(
      privateKeyProblem(fs.readFileSync(path.join(FIXTURES, 'keys', 'a.pub'), 'utf8'))!,
      /not a private key/,
    ));
});
