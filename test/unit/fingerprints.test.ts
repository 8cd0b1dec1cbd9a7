import { strict as assert } from 'node:assert';
import {
  fingerprint,
  formatFingerprints,
  needsRekey,
  parseFingerprints,
  sameSecret,
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
