import { scryptSync } from 'node:crypto';
import { strict as assert } from 'node:assert';
import {
  fingerprint,
  formatFingerprints,
  needsRekey,
  parseFingerprints,
  sameSecret,
  warmFingerprint,
} from '../../src/modules/fingerprints';

describe('secret fingerprints', () => {
  it('is stable for a key and password, differs for another password or key, and never holds the password', () => {
    const a = fingerprint("mysql:repl@'10.0.0.12'", 'hunter2-long-secret');
    assert.equal(a, fingerprint("mysql:repl@'10.0.0.12'", 'hunter2-long-secret'));
    assert.notEqual(a, fingerprint("mysql:repl@'10.0.0.12'", 'hunter3-long-secret'));
    assert.notEqual(a, fingerprint("mysql:repl@'10.0.0.13'", 'hunter2-long-secret'));
    assert.ok(!a.includes('hunter2'));
    assert.match(a, /^[0-9a-f]{64}$/);
  });

  // Hosts keep fingerprints across releases: the value for a given key and
  // password never changes (scrypt N=4096, r=8, p=1, salt 'foobar-infra:' + key).
  const KNOWN = {
    key: "mysql:'repl'@'10.0.0.12'",
    password: 'hunter2-long-secret',
    hex: '3cfb42707e130beb504de4ccf143df063213290493f377eb31f507b57b167f35',
  };

  it('gives the same value as every earlier release (what hosts have recorded)', () => {
    assert.equal(fingerprint(KNOWN.key, KNOWN.password), KNOWN.hex);
  });

  it('warmed on the thread pool: the same value, whether the plan asks before or after it is done', async () => {
    const key = `${KNOWN.key} warm`;
    warmFingerprint(key, KNOWN.password);
    const early = fingerprint(key, KNOWN.password); // computed on the main thread if not done
    await new Promise((done) => setTimeout(done, 200));
    assert.equal(fingerprint(key, KNOWN.password), early);
    warmFingerprint(KNOWN.key, KNOWN.password);
    await new Promise((done) => setTimeout(done, 200));
    assert.equal(fingerprint(KNOWN.key, KNOWN.password), KNOWN.hex);
    // Done on the pool before the plan asks: the pool's value is used, and it is right.
    const fresh = 'another-password-for-the-pool';
    warmFingerprint(KNOWN.key, fresh);
    await new Promise((done) => setTimeout(done, 200));
    const expected = scryptSync(fresh, `foobar-infra:${KNOWN.key}`, 32, {
      N: 4096,
      r: 8,
      p: 1,
    }).toString('hex');
    assert.equal(fingerprint(KNOWN.key, fresh), expected);
  });

  it('round-trips through the file format and detects a rotation', () => {
    const map = new Map([['k1', fingerprint('k1', 'old-password')]]);
    const parsed = parseFingerprints(formatFingerprints(map));
    assert.ok(sameSecret(parsed, 'k1', 'old-password'));
    assert.ok(!sameSecret(parsed, 'k1', 'new-password'));
    assert.ok(!sameSecret(parsed, 'k2', 'old-password'), 'an unknown key never matches');
    assert.equal(parseFingerprints(undefined).size, 0);
  });

  it('keyed with the site key: another key gives another fingerprint, so a leaked one cannot be checked without it', () => {
    const key = "mysql:'repl'@'10.0.0.12'";
    const site = 'site-key-0123456789abcdef0123456789';
    const keyed = fingerprint(key, 'hunter2-long-secret', site);
    assert.match(keyed, /^hmac-sha256:[0-9a-f]{64}$/);
    assert.notEqual(
      keyed,
      fingerprint(key, 'hunter2-long-secret', 'another-site-key-0123456789abc'),
    );
    assert.ok(
      !keyed.includes(fingerprint(key, 'hunter2-long-secret')),
      'not the unkeyed one inside',
    );
    const map = new Map([[key, keyed]]);
    assert.ok(sameSecret(map, key, 'hunter2-long-secret', site));
    assert.ok(!sameSecret(map, key, 'hunter2-long-secret'), 'a keyed record needs the key');
    assert.ok(!sameSecret(map, key, 'hunter2-long-secret', 'another-site-key-0123456789abc'));
    assert.ok(!needsRekey(map, key, site));
  });

  it('an unkeyed record (from before the site had a key) still matches, and asks to be re-keyed', () => {
    const key = 'k1';
    const site = 'site-key-0123456789abcdef0123456789';
    const legacy = new Map([[key, fingerprint(key, 'old-password')]]);
    assert.ok(sameSecret(legacy, key, 'old-password', site));
    assert.ok(!sameSecret(legacy, key, 'new-password', site));
    assert.ok(needsRekey(legacy, key, site));
    assert.ok(!needsRekey(legacy, key));
    assert.ok(
      needsRekey(new Map([[key, fingerprint(key, 'p', site)]]), key),
      'the key was dropped',
    );
  });
});
