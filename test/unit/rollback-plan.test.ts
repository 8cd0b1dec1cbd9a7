import { strict as assert } from 'node:assert';
import { UsageError } from '../../src/core/errors';
import { rollbackPlaybook } from '../../src/engine/rollback-plan';
import { MODULE_CATALOG } from '../../src/modules/registry';
import { parsePlaybook } from '../../src/playbook/load';

const playbook = parsePlaybook(
  'site.yml',
  `
- name: Load balancer
  hosts: lb
  tasks:
    - name: haproxy
      package: { name: haproxy }
- name: Web
  hosts: web
  serial: 1
  rollout: { health_url: 'http://127.0.0.1/healthz' }
  tasks:
    - name: packages
      package: { name: nginx }
    - name: code
      release: { src: site, dir: /opt/app }
      notify: restart app
      when: "role == 'web'"
  handlers:
    - name: restart app
      service: { name: app, state: restarted }
`,
  MODULE_CATALOG,
).value!;

/** `rollback`'s playbook: the release tasks only, told where to switch; the rest of each play kept. */
describe('rollback: the playbook it runs', () => {
  it('keeps only the plays with release tasks, and only those tasks, with switch_to set; hosts, serial, rollout, when and handlers stay', () => {
    const r = rollbackPlaybook(playbook, 'previous');
    assert.deepEqual(
      r.plays.map((p) => p.name),
      ['Web'],
    );
    const play = r.plays[0]!;
    assert.deepEqual(
      play.tasks.map((t) => [t.name, t.args]),
      [['code', { src: 'site', dir: '/opt/app', switch_to: 'previous' }]],
    );
    assert.equal(play.tasks[0]!.when?.source, "role == 'web'");
    assert.deepEqual(play.tasks[0]!.notify, ['restart app']);
    assert.equal(play.serial, 1);
    assert.deepEqual(play.rollout, { health_url: 'http://127.0.0.1/healthz' });
    assert.deepEqual(
      play.handlers.map((h) => h.name),
      ['restart app'],
    );
    // The loaded playbook is left as it was.
    assert.equal(playbook.plays[1]!.tasks.length, 2);
    assert.equal(
      (playbook.plays[1]!.tasks[1]!.args as { switch_to?: string }).switch_to,
      undefined,
    );
  });

  it('--to a release id is passed on; anything but a plain name is refused', () => {
    const r = rollbackPlaybook(playbook, '0123456789ab');
    assert.equal((r.plays[0]!.tasks[0]!.args as { switch_to: string }).switch_to, '0123456789ab');
    for (const bad of ['', '../x', 'a b', '{{x}}'])
      assert.throws(() => rollbackPlaybook(playbook, bad), UsageError, bad);
  });

  it('a playbook without release tasks: refused, naming it', () => {
    const none = { ...playbook, plays: [playbook.plays[0]!] };
    assert.throws(() => rollbackPlaybook(none, 'previous'), /site\.yml deploys no release/);
  });
});
