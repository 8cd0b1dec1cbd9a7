import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../src/lab/local-files';

/** The lab's file writer (TLS keys, recipes): the tool's one atomic writer, with exact modes. */
describe('lab files: writeFileAtomic', function () {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-lab-files-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a file planted at the old predictable temp name (path.tmp-PID) is neither written through nor renamed into place', function () {
    const target = path.join(dir, 'tls', 'key.pem');
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'untouched');
    fs.mkdirSync(path.dirname(target));
    fs.symlinkSync(victim, `${target}.tmp-${process.pid}`);
    writeFileAtomic(target, Buffer.from('KEY'), 0o600);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'untouched');
    assert.ok(fs.lstatSync(target).isFile(), 'the key is a file of its own, not a link');
    assert.equal(fs.readFileSync(target, 'utf8'), 'KEY');
  });

  it('gives exactly the mode asked, whatever the umask; creates the folder; leaves no temp file', function () {
    const before = process.umask(0o077);
    try {
      const file = path.join(dir, 'new', 'cert.pem');
      writeFileAtomic(file, 'CERT', 0o644);
      assert.equal(fs.statSync(file).mode & 0o777, 0o644);
      writeFileAtomic(file, 'CERT2', 0o600);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal(fs.readFileSync(file, 'utf8'), 'CERT2');
      assert.deepEqual(fs.readdirSync(path.dirname(file)), ['cert.pem']);
    } finally {
      process.umask(before);
    }
  });
});
