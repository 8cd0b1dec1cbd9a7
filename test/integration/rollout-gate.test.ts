import { strict as assert } from 'node:assert';
import { Redactor } from '../../src/core/redact';
import { TransportError } from '../../src/core/errors';
import type { Change } from '../../src/changes/model';
import { SITE } from '../../src/cli/site-project';
import type { EngineEvent } from '../../src/engine/events';
import type { Gathered } from '../../src/engine/host-driver';
import { desiredFiles } from '../../src/engine/desired-files';
import { playTargetDiagnostics } from '../../src/engine/play-targets';
import { requireProject } from '../../src/engine/project';
import { MASK } from '../../src/core/redact';
import { runPlaybook } from '../../src/engine/runner';
import { rollbackPlaybook } from '../../src/engine/rollback-plan';
import { DRAINED } from '../../src/engine/run/rollout';
import { resolveSecrets } from '../../src/engine/secrets';
import { MemoryHost } from '../../src/facts/memory-host';
import { factKey, type FactRequest } from '../../src/facts/types';
import { textReporter } from '../../src/report/text-reporter';
import { VaultStore } from '../../src/vault/vault-store';
import { fixture } from '../support/cli';
import { MemoryDriver } from '../support/memory-driver';

const noVaults = new VaultStore(() => Promise.reject(new Error('no vault in this test')));
const OLD = 'aaaaaaaaaaaa';
const APP = '/opt/app';

/** A web host on release OLD, whose health URL answers what `health` says for its current release. */
class WebDriver extends MemoryDriver {
  constructor(
    state: MemoryHost,
    private readonly health: (current: string | undefined) => number,
  ) {
    super(state);
  }
  override async gather(requests: readonly FactRequest[]): Promise<Gathered> {
    const g = await super.gather(requests);
    for (const r of requests)
      if (r.kind === 'http') {
        const status = this.health(this.state.links.get(`${APP}/current`));
        g.facts.set(factKey(r), { kind: 'http', value: { status } });
      }
    return g;
  }
}

/** HAProxy's runtime API on the lb: `show stat` from `servers`, `set server` changes them. */
class BalancerDriver extends MemoryDriver {
  readonly lines: string[] = [];
  constructor(
    state: MemoryHost,
    readonly servers: Map<string, string>,
  ) {
    super(state);
  }
  override async gather(requests: readonly FactRequest[]): Promise<Gathered> {
    const g = await super.gather(requests);
    for (const r of requests)
      if (r.kind === 'haproxy_stat') {
        const rows = [...this.servers].map(([name, status]) => `web,${name},0,${status},L7OK`);
        const csv = ['# pxname,svname,scur,status,check_status', ...rows].join('\n');
        g.facts.set(factKey(r), { kind: 'haproxy_stat', value: { ok: true, csv } });
      }
    return g;
  }
  /** The connection drops on the next `set server`. */
  dropOnSet = false;
  override async execute(changes: readonly Change[], options: object): Promise<void> {
    if (this.dropOnSet) throw new TransportError('lb-01', 'run a command', 'connection lost');
    for (const c of changes) {
      const m =
        c.kind === 'command' ? /^set server web\/(\S+) state (\w+)$/.exec(c.label ?? '') : null;
      if (!m) continue;
      this.lines.push(`${m[1]} ${m[2]}`);
      this.servers.set(m[1]!, m[2] === 'drain' ? 'DRAIN' : 'UP');
    }
    return super.execute(changes, options);
  }
}

function webHost(name: string): MemoryHost {
  const h = new MemoryHost(name);
  const dir = { mode: '0755', owner: 'root', group: 'root' };
  for (const d of ['/opt', APP, `${APP}/releases`, `${APP}/releases/${OLD}`]) h.dirs.set(d, dir);
  h.files.set(`${APP}/releases/${OLD}/.foobar-release`, {
    content: Buffer.from(OLD),
    mode: '0644',
    owner: 'root',
    group: 'root',
  });
  h.links.set(`${APP}/current`, `releases/${OLD}`);
  h.units.set('app.service', { active: true, enabled: true });
  return h;
}

/**
 * The rollout gate's decisions over in-memory hosts (the e2e suite
 * test/e2e/rollout.test.ts proves it on real ones): drain before the first
 * change, ready once healthy, switch back and stop when not.
 */
describe('rollout: the health gate of a serial play, over in-memory hosts', function () {
  const project = requireProject(
    fixture('inventories', 'good', 'minimal.yml'),
    fixture('playbooks', 'rollout.yml'),
    SITE,
  );

  async function deploy(o: {
    health: (current: string | undefined) => number;
    servers?: [string, string][];
    check?: boolean;
    /** The hosts and balancer of an earlier deploy. */
    after?: { hosts: Map<string, MemoryHost>; lb: BalancerDriver };
    /** web-01's driver dies after this many executes (the tool killed). */
    dieAfterExecutes?: number;
    serial?: number;
    /** Run `rollback` (to this release, or previous) instead of the deploy. */
    rollback?: string;
  }) {
    const hosts = o.after?.hosts ?? new Map(['web-01', 'web-02'].map((n) => [n, webHost(n)]));
    const lb =
      o.after?.lb ??
      new BalancerDriver(
        new MemoryHost('lb-01'),
        new Map(
          o.servers ?? [
            ['web-01', 'UP'],
            ['web-02', 'UP'],
          ],
        ),
      );
    lb.lines.length = 0;
    const connected: string[] = [];
    const events: EngineEvent[] = [];
    const lines: string[] = [];
    const print = textReporter({ color: false, verbosity: 0, out: (l) => lines.push(l) });
    const play = { ...project.playbook.plays[0]!, serial: o.serial ?? 1 };
    const playbook = { ...project.playbook, plays: [play] };
    const result = await runPlaybook({
      project: {
        ...project,
        playbook: o.rollback ? rollbackPlaybook(playbook, o.rollback) : playbook,
      },
      secret: await resolveSecrets(project, [], new Redactor(), noVaults),
      redact: (t) => t,
      connect: async (name) => {
        connected.push(name);
        if (name === 'lb-01') return lb;
        const web = new WebDriver(hosts.get(name)!, o.health);
        if (name === 'web-01') web.dieAfterExecutes = o.dieAfterExecutes;
        return web;
      },
      emit: (e) => {
        events.push(e);
        print(e);
      },
      check: o.check ?? false,
      diff: false,
      forks: 10,
    });
    const current = (h: string) => hosts.get(h)!.links.get(`${APP}/current`);
    const restarts = (h: string) =>
      hosts.get(h)!.log.filter((l) => l.startsWith('restart app')).length;
    return { result, lb, connected, current, restarts, out: lines.join('\n'), hosts };
  }

  it('a good version: each host drained before it changes and set ready once healthy, one after the other', async () => {
    const r = await deploy({ health: () => 200 });
    assert.deepEqual(r.result.failed, [], r.out);
    assert.deepEqual(r.lb.lines, ['web-01 drain', 'web-01 ready', 'web-02 drain', 'web-02 ready']);
    const next = r.current('web-01');
    assert.notEqual(next, `releases/${OLD}`);
    assert.equal(r.current('web-02'), next);
    assert.equal(r.hosts.get('web-01')!.links.get(`${APP}/previous`), `releases/${OLD}`);
    assert.match(r.out, /note: \[web-01\] rollout: drained on lb-01/);
    assert.match(
      r.out,
      /note: \[web-02\] rollout: healthy \(http:\/\/127\.0\.0\.1:80\/healthz\), in rotation/,
    );
    assert.deepEqual(r.result.outcomes, {});
  });

  it('a version whose health URL fails: switched back to the release before, restarted again, ready; the rollout stops before web-02', async () => {
    const r = await deploy({ health: (c) => (c === `releases/${OLD}` ? 200 : 500) });
    assert.deepEqual(r.result.failed, ['web-01'], r.out);
    assert.equal(r.current('web-01'), `releases/${OLD}`);
    assert.equal(r.restarts('web-01'), 2, 'restarted on the new release, then on the old one');
    assert.equal(
      r.hosts.get('web-01')!.links.get(`${APP}/previous`),
      undefined,
      'previous as it was',
    );
    assert.ok(!r.connected.includes('web-02'), 'web-02 is never touched');
    assert.equal(r.current('web-02'), `releases/${OLD}`);
    assert.deepEqual(r.lb.lines, ['web-01 drain', 'web-01 ready']);
    assert.equal(r.result.outcomes['web-01'], `rolled back to release ${OLD}`);
    assert.match(
      r.out,
      /^web-01 +: ok=0 changed=\d+ unreachable=0 failed=1 skipped=0 {2}rolled back to release aaaaaaaaaaaa$/m,
    );
    assert.match(r.out, /stopping: the rollout stopped at a failed host/);
    assert.match(
      r.out,
      /failed: \[web-01\] rollout health gate\n {2}\S+healthz answered 500 after 0\.6 s/,
    );
  });

  it('still unhealthy after the switch back: left out of rotation (drained), and the recap says so', async () => {
    const r = await deploy({ health: () => 503 });
    assert.deepEqual(r.result.failed, ['web-01']);
    assert.equal(r.current('web-01'), `releases/${OLD}`);
    assert.deepEqual(r.lb.lines, ['web-01 drain'], 'never set ready');
    assert.match(
      r.result.outcomes['web-01'] ?? '',
      /^rolled back to release aaaaaaaaaaaa, still unhealthy: .*answered 503/,
    );
  });

  it('a run killed while web-01 is drained leaves a mark on it: the next run, with nothing to change there, puts it back in rotation once healthy', async () => {
    // Killed right after the drain (the mark, then the drain's one execute on the lb).
    const killed = await deploy({ health: () => 200, dieAfterExecutes: 1 });
    assert.deepEqual(killed.lb.lines, ['web-01 drain']);
    assert.equal(killed.lb.servers.get('web-01'), 'DRAIN');
    assert.deepEqual(killed.hosts.get('web-01')!.pending, [{ play: 'Web', handler: DRAINED }]);
    const next = await deploy({ health: () => 200, after: killed });
    assert.deepEqual(next.result.failed, [], next.out);
    assert.match(next.out, /\[web-01\] rollout: an earlier run drained this host and stopped/);
    // Still drained from the killed run: deployed, then set ready once healthy.
    assert.deepEqual(next.lb.lines, ['web-01 ready', 'web-02 drain', 'web-02 ready']);
    assert.notEqual(next.current('web-01'), `releases/${OLD}`);
    assert.equal(next.lb.servers.get('web-01'), 'UP');
    assert.equal(next.lb.servers.get('web-02'), 'UP');
    assert.deepEqual(next.hosts.get('web-01')!.pending, []);
    // Converged now; a mark left alone (a kill after the switch) is still taken back.
    next.hosts.get('web-01')!.pending.push({ play: 'Web', handler: DRAINED });
    next.lb.servers.set('web-01', 'DRAIN');
    const converged = await deploy({ health: () => 200, after: next });
    assert.deepEqual(converged.result.failed, [], converged.out);
    assert.deepEqual(converged.lb.lines, ['web-01 ready']);
    assert.equal(converged.result.changed, false);
    assert.deepEqual(converged.hosts.get('web-01')!.pending, []);
  });

  it('a rollback whose target fails the gate: web-01 returns to the release it was on, the recap says so, web-02 is not touched', async () => {
    const deployed = await deploy({ health: () => 200 });
    const next = deployed.current('web-01')!;
    const r = await deploy({
      health: (c) => (c === `releases/${OLD}` ? 500 : 200),
      after: deployed,
      rollback: OLD,
    });
    assert.deepEqual(r.result.failed, ['web-01'], r.out);
    assert.equal(r.current('web-01'), next);
    assert.equal(r.current('web-02'), next);
    assert.equal(r.result.outcomes['web-01'], `returned to release ${next.slice(9)}`);
    // The rollback had removed the previous link; it is back as it was.
    assert.equal(r.hosts.get('web-01')!.links.get(`${APP}/previous`), `releases/${OLD}`);
  });

  it('two hosts in one batch (serial 2): their drain decisions take turns, so the second sees the first drained and stays in rotation', async () => {
    const r = await deploy({ health: () => 200, serial: 2 });
    assert.deepEqual(r.result.failed, [], r.out);
    assert.deepEqual(
      r.lb.lines.filter((l) => l.endsWith('drain')),
      ['web-01 drain'],
      'never both out of rotation',
    );
    assert.match(r.out, /no other server of web is UP on lb-01: web-02 stays in rotation/);
  });

  it('handlers an earlier run left pending on a host with nothing to change: drained before they run, gated after', async () => {
    const first = await deploy({ health: () => 200 });
    first.hosts.get('web-01')!.pending.push({ play: 'Web', handler: 'restart app' });
    const again = await deploy({ health: () => 200, after: first });
    assert.deepEqual(again.result.failed, [], again.out);
    assert.deepEqual(again.lb.lines, ['web-01 drain', 'web-01 ready']);
    assert.equal(again.restarts('web-01'), 2, 'the pending restart ran');
  });

  it("the connection to the load balancer lost while it drains: web-01 fails (not 'unreachable'), nothing changes there, the rollout stops", async () => {
    const lb = new BalancerDriver(
      new MemoryHost('lb-01'),
      new Map([
        ['web-01', 'UP'],
        ['web-02', 'UP'],
      ]),
    );
    lb.dropOnSet = true;
    const hosts = new Map(['web-01', 'web-02'].map((n) => [n, webHost(n)]));
    const r = await deploy({ health: () => 200, after: { hosts, lb } });
    assert.deepEqual(r.result.failed, ['web-01'], r.out);
    assert.deepEqual(r.result.unreachable, []);
    assert.match(
      r.out,
      /failed: \[web-01\] rollout: out of rotation before the change\n {2}load balancer lb-01: lb-01: run a command: connection lost/,
    );
    assert.equal(r.current('web-01'), `releases/${OLD}`);
    assert.ok(!r.connected.includes('web-02'));
  });

  it('the only server UP in the backend is not drained (that would drop every request); it is still gated', async () => {
    const r = await deploy({
      health: () => 200,
      servers: [
        ['web-01', 'UP'],
        ['web-02', 'DOWN'],
      ],
    });
    assert.deepEqual(r.result.failed, [], r.out);
    assert.match(r.out, /no other server of web is UP on lb-01: web-01 stays in rotation/);
    assert.deepEqual(r.lb.lines, ['web-02 drain', 'web-02 ready']);
  });

  it('a server HAProxy does not know: the host fails before it changes, and the rollout stops', async () => {
    const r = await deploy({ health: () => 200, servers: [['web-09', 'UP']] });
    assert.deepEqual(r.result.failed, ['web-01']);
    assert.equal(r.current('web-01'), `releases/${OLD}`, 'nothing switched');
    assert.match(r.out, /HAProxy on lb-01 has no server web\/web-01 \(servers there: web-09\)/);
    assert.ok(!r.connected.includes('web-02'));
  });

  it('a server held in maintenance by an operator is left so (not drained, not set ready), and counts as not serving for the next host', async () => {
    const r = await deploy({
      health: () => 200,
      servers: [
        ['web-01', 'MAINT'],
        ['web-02', 'UP'],
      ],
    });
    assert.deepEqual(r.result.failed, [], r.out);
    assert.match(r.out, /web\/web-01 is MAINT on lb-01 already: left so/);
    assert.match(r.out, /no other server of web is UP on lb-01: web-02 stays in rotation/);
    assert.deepEqual(r.lb.lines, []);
    assert.equal(r.lb.servers.get('web-01'), 'MAINT');
  });

  it('a dry run reaches no load balancer; a converged run drains nothing', async () => {
    const dry = await deploy({ health: () => 500, check: true });
    assert.deepEqual(dry.result.failed, []);
    assert.ok(!dry.connected.includes('lb-01'));
    // Converged: each host already on the release the source makes.
    const first = await deploy({ health: () => 200 });
    assert.match(first.current('web-01')!, /^releases\/[0-9a-f]{12}$/);
    const again = await deploy({ health: () => 200, after: first });
    assert.ok(!again.connected.includes('lb-01'), 'a converged run connects to no balancer');
    assert.equal(again.result.changed, false);
    assert.deepEqual(again.result.failed, []);
  });

  describe('checked before any host is reached (validate, and every run)', () => {
    const withRollout = (rollout: Record<string, unknown>) => {
      const play = project.playbook.plays[0]!;
      const plays = [{ ...play, rollout: { ...play.rollout, ...rollout } }];
      return { ...project, playbook: { ...project.playbook, plays } };
    };

    it('a rollout value that is wrong once rendered: the playbook line, the field and the host', () => {
      const p = withRollout({
        health_url: 'ftp://{{inventory_hostname}}/h',
        timeout: '{{web_port}}0000',
      });
      const { diagnostics } = desiredFiles(p, { secret: () => MASK });
      const messages = diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`);
      // Once per cause: web-02's is the same.
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(
        messages[0]!,
        /rollout\.yml:5: play "Web" rollout: after rendering: rollout\.health_url: an http:\/\/ or https:\/\/ URL.*; rollout\.timeout: at most 3600 seconds \(host web-01\)$/,
      );
    });

    it('a balancer pattern that matches no host: an error with a did-you-mean', () => {
      const p = withRollout({ balancer: { hosts: 'lbs', socket: '/run/s', backend: 'web' } });
      const found = playTargetDiagnostics(p.inventory, p.playbook);
      assert.equal(found.length, 1);
      assert.match(
        found[0]!.message,
        /rollout\.balancer\.hosts: lbs matches no host of the inventory \(did you mean "lb"\?\)/,
      );
      assert.equal(found[0]!.line, 8, 'the rollout block');
      assert.match(found[0]!.field ?? '', /rollout.balancer.hosts/);
    });
  });
});
