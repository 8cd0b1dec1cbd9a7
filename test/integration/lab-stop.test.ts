import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  canKillCgroup,
  cgroupHasProcesses,
  cgroupHierarchies,
  createCgroups,
  removeCgroupTree,
} from '../../src/lab/cgroups';
import { stopNspawn } from '../../src/lab/nspawn';
import { cgroupWrapper } from '../../src/lab/nspawn-args';
import { isSameProcessAlive, recordProcess, type ProcessRecord } from '../../src/lab/processes';

/**
 * How a lab host's process tree is stopped, on real processes in a cgroup of
 * their own (root and cgroup2 needed, as for the lab): a stand-in for
 * systemd-nspawn that ignores SIGTERM, with a child, as a host that does not
 * power off would.
 */
describe('stopping a lab host (real processes in a cgroup)', function () {
  this.timeout(30_000);
  let cgroups: string[] = [];
  let record: ProcessRecord | undefined;

  beforeEach(async function () {
    cgroups = cgroupHierarchies().map((h) =>
      path.join(h, 'foobar-lab-test', `${process.pid}-${Date.now()}`),
    );
    createCgroups(cgroups);
    assert.ok(
      cgroups.some(canKillCgroup),
      `no cgroup.kill under ${cgroups.join(', ')}: the lab needs Linux 5.14+ with cgroup2`,
    );
    const stubborn =
      "process.on('SIGTERM', () => {}); require('node:child_process').spawn('sleep', ['600'], { stdio: 'ignore' }); setInterval(() => {}, 1000)";
    const child = spawn('sh', cgroupWrapper(cgroups, process.execPath, ['-e', stubborn]), {
      detached: true,
      stdio: 'ignore',
    });
    child.unref();
    // Until the stand-in and its child are both in the cgroup.
    for (let i = 0; i < 100 && !sleeping(cgroups); i++) await pause(50);
    assert.ok(sleeping(cgroups), 'the stand-in started its child');
    record = recordProcess(child.pid!);
    assert.ok(record, 'the stand-in is running');
  });

  afterEach(() => {
    for (const cg of cgroups) removeCgroupTree(cg);
    for (const h of cgroupHierarchies()) removeCgroupTree(path.join(h, 'foobar-lab-test'));
  });

  it('discard (reset, down): the whole tree is killed at once, with no power-off asked', async () => {
    assert.equal(await stopNspawn(record, cgroups, { mode: 'discard' }), 'discarded');
    assert.ok(!isSameProcessAlive(record));
    assert.ok(!cgroups.some(cgroupHasProcesses), 'nothing is left in the cgroup');
  });

  it('poweroff (stop, checkpoint): asked to stop first; a host that does not is killed after the grace time', async () => {
    assert.equal(await stopNspawn(record, cgroups, { mode: 'poweroff', graceMs: 1500 }), 'killed');
    assert.ok(!isSameProcessAlive(record));
    assert.ok(!cgroups.some(cgroupHasProcesses), 'nothing is left in the cgroup');
  });

  it('a host already gone: its leftover processes are killed', async () => {
    assert.equal(await stopNspawn(undefined, cgroups, { mode: 'poweroff' }), 'not running');
    assert.ok(!cgroups.some(cgroupHasProcesses), 'nothing is left in the cgroup');
  });
});

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Whether the stand-in's child (`sleep`) runs in the cgroups. */
function sleeping(cgroups: readonly string[]): boolean {
  const procs = fs
    .readFileSync(path.join(cgroups[0]!, 'cgroup.procs'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean);
  return procs.length >= 2;
}
