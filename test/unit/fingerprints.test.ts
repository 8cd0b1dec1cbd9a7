import { strict as assert } from 'node:assert';
import {
  fingerprint,
  formatFingerprints,
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
});
