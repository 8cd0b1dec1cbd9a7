import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { changeScript } from '../../src/engine/change-script';

/**
 * The wait after START REPLICA, run by the local sh against a stand-in
 * `mysql` that answers SHOW REPLICA STATUS from a script of states, one per
 * call (the last one repeats).
 */
describe('await-replica on a real shell, against scripted replica states', () => {
  let dir: string;
  const state = (io: string, sql: string, errno = 0, error = '') =>
    [
      '*************************** 1. row ***************************',
      `   Replica_IO_Running: ${io}`,
      `  Replica_SQL_Running: ${sql}`,
      `       Last_SQL_Errno: ${errno}`,
      `       Last_SQL_Error: ${error}`,
    ].join('\n');
  const run = (states: string[], timeoutSeconds = 3) => {
    states.forEach((s, i) => fs.writeFileSync(path.join(dir, `state-${i}`), `${s}\n`));
    fs.writeFileSync(
      path.join(dir, 'mysql'),
      [
        '#!/bin/sh',
        `n=$(cat ${dir}/calls 2>/dev/null || echo 0); echo $((n+1)) > ${dir}/calls`,
        `f=${dir}/state-$n; [ -f "$f" ] || f=${dir}/state-${states.length - 1}`,
        'cat "$f"',
      ].join('\n'),
      { mode: 0o755 },
    );
    const { script } = changeScript(
      [{ kind: 'await-replica', statusQuery: 'SHOW REPLICA STATUS', timeoutSeconds }],
      { stateFile: path.join(dir, 'pending') },
    );
    const r = spawnSync('sh', ['-c', script], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}` },
    });
    return { ...r, calls: Number(fs.readFileSync(path.join(dir, 'calls'), 'utf8')) };
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-await-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('both threads run, and still run at the next look: done', () => {
    const r = run([state('Connecting', 'Yes'), state('Yes', 'Yes')]);
    assert.equal(r.status, 0, r.stderr);
  });

  it('the applier starts, then stops on an error a moment later: fails at once, naming it', () => {
    const r = run([
      state('Yes', 'Yes'),
      state(
        'Yes',
        'No',
        1032,
        "Could not execute Update_rows event on table foobar.t; Can't find record",
      ),
    ]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /Last_SQL_Errno: 1032/);
    assert.match(r.stderr, /the replica's applier stopped on an error/);
    assert.ok(r.calls <= 3, `gave up after ${r.calls} looks, not at the timeout`);
  });

  it('never running: fails at the timeout with the threads and the last errors', () => {
    const r = run([state('Connecting', 'Yes')], 1);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /replication did not start within 1 s/);
    assert.match(r.stderr, /Replica_IO_Running: Connecting/);
  });
});
