import { strict as assert } from 'node:assert';
import { Redactor } from '../../src/core/redact';
import { MemoryDriver } from '../support/memory-driver';
import { MemoryHost } from '../../src/facts/memory-host';
import type { EngineEvent } from '../../src/engine/events';
import { requireProject } from '../../src/engine/project';
import { SITE } from '../../src/cli/site-project';
import { runPlaybook, type RunResult } from '../../src/engine/runner';
import { resolveSecrets } from '../../src/engine/secrets';
import { VaultStore } from '../../src/vault/vault-store';
import { textReporter } from '../../src/report/text-reporter';
import { fixture } from '../support/cli';
import { runInMemory } from '../support/memory-run';

/** These projects hold no vault reference: a vault opened here is a bug of the test. */
const noVaults = new VaultStore(() => Promise.reject(new Error('no vault in this test')));

/** The engine over in-memory hosts: check → apply → check, handlers, failures. */
describe('engine over in-memory hosts', () => {
  const project = requireProject(
    fixture('inventories', 'good', 'minimal.yml'),
    fixture('playbooks', 'engine.yml'),
    SITE,
  );
  let hosts: Map<string, MemoryHost>;
  let drivers: MemoryDriver[];

  const freshHost = (name: string) => {
    const h = new MemoryHost(name);
    for (const d of ['/etc', '/etc/haproxy'])
      h.dirs.set(d, { mode: '0755', owner: 'root', group: 'root' });
    h.repository.set('haproxy', ['haproxy.service']);
    h.validators.set('haproxy', (cfg) =>
      cfg.includes('bind :') ? undefined : '[ALERT] config: no bind line',
    );
    return h;
  };

  beforeEach(() => {
    hosts = new Map(['lb-01', 'web-01', 'web-02'].map((n) => [n, freshHost(n)]));
    drivers = [];
  });

  const runWith = (p: typeof project, options: { tags?: string[] }) =>
    runInMemory(
      p,
      async (name) => {
        const d = new MemoryDriver(hosts.get(name)!);
        drivers.push(d);
        return d;
      },
      options,
    );

  async function run(
    options: {
      check?: boolean;
      diff?: boolean;
      dieAfterExecutes?: number;
      down?: string[];
      /** Interrupt (as Ctrl-C does) right after this many executes have finished. */
      interruptAfterExecutes?: number;
    } = {},
  ) {
    const events: EngineEvent[] = [];
    const interrupt = new AbortController();
    let executes = 0;
    const result: RunResult = await runPlaybook({
      project,
      secret: await resolveSecrets(project, ['lb-01'], new Redactor(), noVaults),
      redact: (text) => text,
      connect: async (name) => {
        if (options.down?.includes(name)) throw new Error(`${name}: connect: timed out`);
        const d = new MemoryDriver(hosts.get(name)!);
        d.dieAfterExecutes = options.dieAfterExecutes;
        const execute = d.execute.bind(d);
        d.execute = async (...args) => {
          await execute(...args);
          if (++executes === options.interruptAfterExecutes) interrupt.abort();
        };
        drivers.push(d);
        return d;
      },
      signal: interrupt.signal,
      emit: (e) => events.push(e),
      check: options.check ?? false,
      diff: options.diff ?? false,
      forks: 10,
    });
    const tasks = events.filter(
      (e): e is Extract<EngineEvent, { type: 'task' }> => e.type === 'task',
    );
    return { result, events, tasks };
  }

  it('check → apply → check: the first check changes nothing, apply converges, the last check is clean', async () => {
    const lb = hosts.get('lb-01')!;
    const first = await run({ check: true });
    assert.equal(
      first.result.hosts['lb-01']!.changed,
      4,
      'package, template, service and the handler would change',
    );
    assert.equal(lb.log.length, 0, 'check mode changed nothing');
    assert.equal(lb.files.size, 0);

    const apply = await run();
    // The package starts and enables its service (as Debian's does): the service task is ok.
    assert.equal(apply.result.hosts['lb-01']!.changed, 3);
    assert.ok(
      lb.files
        .get('/etc/haproxy/haproxy.cfg')!
        .content.toString()
        .includes('server web-02 10.0.0.12:80 check'),
    );
    assert.equal(
      lb.log.filter((l) => l.startsWith('reload') || l === 'start haproxy.service').length,
      1,
      'the handler ran once',
    );
    assert.deepEqual(lb.pending, [], 'the handler record is cleared');

    const again = await run();
    assert.equal(again.result.hosts['lb-01']!.changed, 0);
    assert.equal(again.result.hosts['lb-01']!.ok, 3);
    assert.equal(drivers.at(-1)!.commands, 1, 'a converged play costs one remote command');

    const last = await run({ check: true });
    assert.equal(last.result.changed, false);
  });

  it('the live view is told when a host starts, each task it starts (long work marked by its module) and when it is done; the plain lines ignore this', async () => {
    const { events } = await run();
    const lb = events
      .filter((e) => 'host' in e && e.host === 'lb-01')
      .filter((e) => ['host-start', 'task-start', 'host-done', 'task'].includes(e.type))
      .map((e) =>
        e.type === 'task-start'
          ? `start ${e.handler ? 'handler ' : ''}${e.task}${e.long ? ' (long)' : ''}`
          : e.type === 'task'
            ? `${e.status} ${e.task}`
            : e.type,
      );
    assert.deepEqual(lb, [
      'host-start',
      'start HAProxy is installed (long)',
      'changed HAProxy is installed',
      'start haproxy.cfg',
      'changed haproxy.cfg',
      'start HAProxy runs at boot',
      'ok HAProxy runs at boot',
      'start handler reload haproxy',
      'changed reload haproxy',
      'host-done',
    ]);
    const lines: string[] = [];
    const print = textReporter({ color: false, verbosity: 3, out: (l) => lines.push(l) });
    for (const e of events) print(e);
    const withoutLive: string[] = [];
    const printPlain = textReporter({
      color: false,
      verbosity: 3,
      out: (l) => withoutLive.push(l),
    });
    for (const e of events)
      if (!['host-start', 'task-start', 'host-done'].includes(e.type)) printPlain(e);
    assert.deepEqual(lines, withoutLive);
    assert.ok(lines.includes('changed: [lb-01] handler reload haproxy: reload haproxy.service'));
  });

  it('--diff shows the file change as a unified diff, without changing anything in check mode', async () => {
    await run();
    hosts.get('lb-01')!.files.get('/etc/haproxy/haproxy.cfg')!.content =
      Buffer.from('# edited by hand\n');
    const { events } = await run({ check: true, diff: true });
    const diff = events.find((e) => e.type === 'diff') as Extract<EngineEvent, { type: 'diff' }>;
    assert.equal(diff.created, false);
    assert.equal(diff.hunks[1], '-# edited by hand');
    assert.match(diff.hunks.join('\n'), /^\+# hello$/m);
    assert.equal(
      hosts.get('lb-01')!.files.get('/etc/haproxy/haproxy.cfg')!.content.toString(),
      '# edited by hand\n',
    );
  });

  it('a candidate that fails validate leaves the live file untouched, reloads nothing and fails the host', async () => {
    await run();
    const lb = hosts.get('lb-01')!;
    const live = lb.files.get('/etc/haproxy/haproxy.cfg')!.content;
    lb.validators.set('haproxy', () => '[ALERT] parsing: unknown keyword');
    lb.files.get('/etc/haproxy/haproxy.cfg')!.content = Buffer.from('# drifted\nbind :80\n');
    const before = lb.log.length;
    const r = await run();
    assert.deepEqual(r.result.failed, ['lb-01']);
    assert.equal(
      lb.files.get('/etc/haproxy/haproxy.cfg')!.content.toString(),
      '# drifted\nbind :80\n',
    );
    assert.deepEqual(lb.log.slice(before), [], 'nothing was written or reloaded');
    assert.ok(live.length > 0);
    assert.match(r.tasks.find((t) => t.status === 'failed')!.error!, /unknown keyword/);
  });

  it('check mode validates the changed candidate on the host: a refusal is a failed finding, the rest is still planned, nothing is written', async () => {
    await run();
    const lb = hosts.get('lb-01')!;
    lb.files.get('/etc/haproxy/haproxy.cfg')!.content = Buffer.from('# drifted\n');
    lb.units.get('haproxy.service')!.active = false;
    lb.validators.set('haproxy', () => '[ALERT] parsing: unknown keyword');
    const before = lb.log.length;
    const r = await run({ check: true });
    assert.deepEqual(r.result.failed, ['lb-01']);
    const failed = r.tasks.find((t) => t.status === 'failed')!;
    assert.equal(failed.task, 'haproxy.cfg');
    assert.match(
      failed.error!,
      /\/etc\/haproxy\/haproxy.cfg: the candidate failed `haproxy -c -f %s`/,
    );
    assert.match(failed.error!, /unknown keyword/);
    const validation = r.events.find((e) => e.type === 'validation');
    assert.deepEqual(
      validation && validation.type === 'validation' && validation.result.status,
      'failed',
    );
    // The service task after it is still planned: the plan is complete.
    const service = r.tasks.find((t) => t.task === 'HAProxy runs at boot')!;
    assert.equal(service.status, 'changed');
    assert.ok(!r.tasks.some((t) => t.handler), 'a refused candidate notifies no handler');
    assert.deepEqual(lb.log.slice(before), [], 'nothing was written');
    assert.equal(lb.files.get('/etc/haproxy/haproxy.cfg')!.content.toString(), '# drifted\n');
  });

  it('check mode on a bare host: the validator is not installed yet, which the plan says instead of failing', async () => {
    const lb = hosts.get('lb-01')!;
    lb.missingPrograms.add('haproxy');
    const r = await run({ check: true });
    assert.deepEqual(r.result.failed, []);
    const validation = r.events.find((e) => e.type === 'validation');
    assert.ok(validation && validation.type === 'validation');
    assert.deepEqual(validation.result, {
      status: 'unavailable',
      command: 'haproxy -c -f %s',
      program: 'haproxy',
    });
  });

  it('interrupted (Ctrl-C) after a change: the step in flight finishes, nothing else starts, the handler stays pending for the next run', async () => {
    const lb = hosts.get('lb-01')!;
    const r = await run({ interruptAfterExecutes: 2 }); // the package, then the template
    assert.equal(r.result.interrupted, true);
    assert.ok(lb.files.has('/etc/haproxy/haproxy.cfg'), 'the change in flight finished');
    assert.deepEqual(
      r.tasks.map((t) => `${t.task}: ${t.status}`),
      ['HAProxy is installed: changed', 'haproxy.cfg: changed'],
      'no task or handler started after the interrupt',
    );
    assert.deepEqual(lb.pending, [{ play: 'Load balancer', handler: 'reload haproxy' }]);
    assert.ok(
      r.events.some((e) => e.type === 'note' && /^interrupted: /.test(e.message)),
      'the run says it was interrupted',
    );
    assert.ok(
      r.events.some((e) => e.type === 'recap'),
      'the recap is still printed',
    );

    const next = await run();
    assert.equal(next.result.interrupted, false);
    assert.ok(next.tasks.some((t) => t.handler && t.status === 'changed'));
    assert.deepEqual(lb.pending, []);
    assert.equal((await run()).result.changed, false, 'the run after converges');
  });

  it('a run that dies after a change and before its handler leaves the handler pending; the next run performs it', async () => {
    const lb = hosts.get('lb-01')!;
    await run({ dieAfterExecutes: 2 }); // package, then the template change; dies before the service task
    assert.ok(lb.files.has('/etc/haproxy/haproxy.cfg'));
    assert.deepEqual(lb.pending, [{ play: 'Load balancer', handler: 'reload haproxy' }]);
    assert.ok(!lb.log.some((l) => l.startsWith('reload')));

    const next = await run();
    const handler = next.tasks.find((t) => t.handler)!;
    assert.equal(handler.task, 'reload haproxy');
    assert.equal(handler.status, 'changed');
    assert.deepEqual(lb.pending, []);
    const third = await run();
    assert.equal(third.tasks.filter((t) => t.handler).length, 0, 'and only once');
  });

  it('when: skips a task on the hosts where it is false', async () => {
    const flow = requireProject(
      fixture('inventories', 'good', 'minimal.yml'),
      fixture('playbooks', 'engine-flow.yml'),
      SITE,
    );
    for (const h of hosts.values()) h.repository.set('nginx', ['nginx.service']);
    const r = await runWith(flow, {});
    const skipped = r.tasks.filter((t) => t.status === 'skipped').map((t) => `${t.host} ${t.task}`);
    assert.deepEqual(skipped, ['web-02 only on the primary']);
    assert.deepEqual(
      hosts.get('web-01')!.log.filter((l) => l.startsWith('command')),
      ['command echo primary'],
    );
  });

  it('--tags runs only the tagged tasks', async () => {
    const flow = requireProject(
      fixture('inventories', 'good', 'minimal.yml'),
      fixture('playbooks', 'engine-flow.yml'),
      SITE,
    );
    const r = await runWith(flow, { tags: ['config'] });
    assert.deepEqual([...new Set(r.tasks.map((t) => t.task))], ['marker']);
    assert.ok(!hosts.get('web-01')!.packages.has('nginx'));
  });

  it('serial with any_errors_fatal: a failure in the first batch stops the next one', async () => {
    const flow = requireProject(
      fixture('inventories', 'good', 'minimal.yml'),
      fixture('playbooks', 'engine-flow.yml'),
      SITE,
    );
    // web-01's apt has no nginx: its package task fails.
    hosts.get('web-02')!.repository.set('nginx', ['nginx.service']);
    const r = await runWith(flow, {});
    assert.deepEqual(r.result.failed, ['web-01']);
    assert.equal(hosts.get('web-02')!.log.length, 0, 'the second batch never started');
    assert.ok(r.events.some((e) => e.type === 'note' && /any_errors_fatal/.test(e.message)));
  });

  it('facts for later plays are gathered ahead: a converged run of three plays costs one command per host; a change anywhere makes later plays gather afresh', async () => {
    const plays = requireProject(
      fixture('inventories', 'good', 'minimal.yml'),
      fixture('playbooks', 'engine-plays.yml'),
      SITE,
    );
    const commands = () => Object.fromEntries(drivers.map((d) => [d.host, d.commands] as const));
    const runCounted = async () => {
      drivers = [];
      return runWith(plays, {});
    };
    await runCounted();
    // Play 3's guard sees the file play 1 made in this very run, not the facts gathered before it.
    for (const h of hosts.values())
      assert.ok(!h.log.includes('command echo late'), `${h.name}: ${h.log.join(', ')}`);
    const converged = await runCounted();
    assert.equal(converged.result.changed, false);
    assert.deepEqual(commands(), { 'lb-01': 1, 'web-01': 1, 'web-02': 1 });

    // web-01's first marker drifts and lb-01's third: web-01's fix (play 1) must
    // not hide lb-01's drift from play 3, whose facts were gathered before it.
    hosts.get('web-01')!.files.get('/etc/first')!.content = Buffer.from('drift\n');
    hosts.get('lb-01')!.files.get('/etc/third')!.content = Buffer.from('drift\n');
    const repaired = await runCounted();
    assert.equal(repaired.result.hosts['lb-01']!.changed, 1, 'lb-01 third marker repaired');
    assert.equal(repaired.result.hosts['web-01']!.changed, 1);
    for (const [name, h] of hosts)
      for (const f of ['/etc/first', '/etc/third'])
        assert.match(
          h.files.get(f)!.content.toString(),
          new RegExp(`host=${name}`),
          `${name} ${f}`,
        );
    assert.deepEqual((await runCounted()).result.changed, false);
  });

  describe('file tasks in a row share one remote command', () => {
    const batchProject = requireProject(
      fixture('inventories', 'good', 'minimal.yml'),
      fixture('playbooks', 'engine-batch.yml'),
      SITE,
    );

    it('a folder and two files in one command; the task after them sees their result; handlers run', async () => {
      const lb = hosts.get('lb-01')!;
      drivers = [];
      const r = await runWith(batchProject, {});
      assert.deepEqual(
        r.tasks.map((t) => `${t.task}: ${t.status}`),
        [
          'a folder: changed',
          'first file: changed',
          'second file: changed',
          'guarded by the first file: ok',
          'after one: changed',
          'after two: changed',
        ],
      );
      assert.ok(!lb.log.includes('command echo guarded'), 'the guard saw the new file');
      // gather, the batch, a fresh gather for the command, then each handler's gather and change.
      assert.equal(drivers.find((d) => d.host === 'lb-01')!.commands, 7);
      assert.equal((await runWith(batchProject, {})).result.changed, false);
    });

    it("a refused file in the middle: the files before it are done and reported, it fails, nothing after it runs, and only the done task's handler stays pending", async () => {
      const lb = hosts.get('lb-01')!;
      lb.validators.set('checker', () => 'checker: refused');
      const r = await runWith(batchProject, {});
      assert.deepEqual(
        r.tasks.map((t) => `${t.task}: ${t.status}`),
        ['a folder: changed', 'first file: changed', 'second file: failed'],
      );
      assert.match(r.tasks[2]!.error!, /checker: refused/);
      assert.ok(lb.files.has('/etc/batch/one.conf'));
      assert.ok(!lb.files.has('/etc/batch/two.conf'));
      assert.deepEqual(lb.pending, [{ play: 'Batched files', handler: 'after one' }]);

      lb.validators.delete('checker');
      const next = await runWith(batchProject, {});
      assert.deepEqual(
        next.tasks.filter((t) => t.status === 'changed').map((t) => t.task),
        ['second file', 'after one', 'after two'],
      );
      assert.deepEqual(lb.pending, []);
    });
  });

  it('an unreachable host is reported and the others complete', async () => {
    const r = await run({ down: ['lb-01'] });
    assert.deepEqual(r.result.unreachable, ['lb-01']);
    assert.equal(r.result.hosts['lb-01']!.unreachable, 1);
    assert.ok(r.events.some((e) => e.type === 'unreachable' && e.host === 'lb-01'));
  });
});
