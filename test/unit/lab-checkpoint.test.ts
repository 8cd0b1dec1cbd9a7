import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvironmentError, UsageError } from '../../src/core/errors';
import {
  listCheckpoints,
  readCheckpoint,
  validateCheckpointName,
} from '../../src/lab/lab-checkpoint';
import { labPaths } from '../../src/lab/paths';

/** Checkpoint names and records, without a lab (the e2e lab test saves and restores real ones). */
describe('lab checkpoints: names and records', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-checkpoint-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('a name is 1 to 40 lowercase letters, digits, - or _; anything else is refused, naming it', () => {
    for (const good of ['site', 'a', 'site-2_b', 'x'.repeat(40)])
      assert.equal(validateCheckpointName(good), good);
    for (const bad of ['', 'Site', '../x', 'a b', '-a', 'x'.repeat(41), 'a/b', 'a.json'])
      assert.throws(
        () => validateCheckpointName(bad),
        (e: Error) => e instanceof UsageError && e.message.includes(`"${bad}"`),
      );
  });

  it('an unknown checkpoint is a usage error naming the ones there are', () => {
    const paths = labPaths(root, 'lab1');
    assert.throws(
      () => readCheckpoint(paths, 'lab1', 'site'),
      /has no checkpoint "site" \(save one with lab checkpoint\)/,
    );
    fs.mkdirSync(paths.checkpoints, { recursive: true });
    for (const name of ['b', 'a'])
      fs.writeFileSync(
        path.join(paths.checkpoints, `${name}.json`),
        JSON.stringify({ name, createdAt: '', hosts: {} }),
      );
    assert.throws(
      () => readCheckpoint(paths, 'lab1', 'site'),
      (e: Error) => e instanceof UsageError && e.message.endsWith('(it has: a, b)'),
    );
    assert.deepEqual(
      listCheckpoints(paths).map((c) => c.name),
      ['a', 'b'],
    );
  });

  it('a damaged record is an environment error naming its file, never a crash', () => {
    const paths = labPaths(root, 'lab1');
    fs.mkdirSync(paths.checkpoints, { recursive: true });
    fs.writeFileSync(path.join(paths.checkpoints, 'site.json'), '{ half');
    assert.throws(
      () => listCheckpoints(paths),
      (e: Error) => e instanceof EnvironmentError && e.message.includes('site.json'),
    );
    assert.throws(() => readCheckpoint(paths, 'lab1', 'site'), EnvironmentError);
  });
});
