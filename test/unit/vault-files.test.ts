import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  privateFolder,
  shredFile,
  shredFolder,
  writePrivateAtomically,
} from '../../src/vault/private-files';

describe('private files: atomic writes, private folders, shredding', () => {
  let work: string;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-private-'));
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('writes atomically with mode 600, replacing the file and leaving no temp file', () => {
    const file = path.join(work, 'v.vault');
    fs.writeFileSync(file, 'old\n', { mode: 0o644 });
    writePrivateAtomically(file, 'new\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'new\n');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(work), ['v.vault']);
  });

  it('a write that fails leaves the old file and no temp file', () => {
    // The target is a folder: the rename fails after the temp file was written.
    const folder = path.join(work, 'folder');
    fs.mkdirSync(path.join(folder, 'inside'), { recursive: true });
    assert.throws(() => writePrivateAtomically(folder, 'new\n'));
    assert.deepEqual(fs.readdirSync(work), ['folder']);
    assert.deepEqual(fs.readdirSync(folder), ['inside']);
  });

  it('a private folder has mode 700, in /dev/shm when there is one', () => {
    const dir = privateFolder('foobar-private-test-');
    try {
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      if (fs.existsSync('/dev/shm')) assert.ok(dir.startsWith('/dev/shm/'), dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shredding overwrites the content with random bytes of the same length before unlinking', () => {
    const file = path.join(work, 'plain.yml');
    const secret = 'app_db: canary-shred-5e0c1d\n'.repeat(3000);
    fs.writeFileSync(file, secret);
    // A second name for the same inode shows what is left in it.
    const witness = path.join(work, 'witness');
    fs.linkSync(file, witness);
    shredFile(file);
    assert.ok(!fs.existsSync(file));
    const left = fs.readFileSync(witness);
    assert.equal(left.length, Buffer.byteLength(secret));
    assert.ok(!left.toString('latin1').includes('canary-shred'));
  });

  it('shredding a folder shreds every file in it (an editor swap file too) and removes it', () => {
    const dir = path.join(work, 'edit');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'v.yml'), 'a: canary-one\n');
    fs.writeFileSync(path.join(dir, '.v.yml.swp'), 'a: canary-two\n');
    fs.writeFileSync(path.join(dir, 'sub', 'x'), 'a: canary-three\n');
    const witness = path.join(work, 'witness');
    fs.linkSync(path.join(dir, '.v.yml.swp'), witness);
    shredFolder(dir);
    assert.ok(!fs.existsSync(dir));
    assert.ok(!fs.readFileSync(witness, 'latin1').includes('canary-two'));
  });
});
