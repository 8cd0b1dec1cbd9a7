import { strict as assert } from 'node:assert';
import { MemoryHost } from '../../src/facts/memory-host';
import { requireProject } from '../../src/engine/project';
import { SITE } from '../../src/cli/site-project';
import { MemoryDriver } from '../support/memory-driver';
import { fixture } from '../support/cli';
import { runInMemory } from '../support/memory-run';

const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHh0c3RrZXlIb3N0S2V5Rm9yTGFiMDAwMDAwMDAwMDA';

/**
 * Facts read on other hosts (a module's `peers()`): over those hosts' own
 * connections of the run, after the earlier plays ran there; a dry run
 * before the file exists says what it waits for.
 */
describe('engine: facts read on another host of the run', () => {
  const project = requireProject(
    fixture('inventories', 'good', 'minimal.yml'),
    fixture('playbooks', 'engine-peers.yml'),
    SITE,
  );
  let hosts: Map<string, MemoryHost>;

  beforeEach(() => {
    hosts = new Map(['lb-01', 'web-01', 'web-02'].map((n) => [n, new MemoryHost(n)]));
    for (const h of hosts.values())
      h.dirs.set('/etc', { mode: '0755', owner: 'root', group: 'root' });
    hosts.get('lb-01')!.files.set('/etc/ssh/ssh_host_ed25519_key.pub', {
      content: Buffer.from(`${HOST_KEY} root@lb-01\n`),
      mode: '0644',
      owner: 'root',
      group: 'root',
    });
  });

  const run = (check: boolean) =>
    runInMemory(project, async (name) => new MemoryDriver(hosts.get(name)!), { check });

  it('a dry run before the key exists: the task waits for the earlier one; apply writes the key and the host keys; a re-run changes nothing', async () => {
    const dry = await run(true);
    assert.deepEqual(dry.result.failed, []);
    const waiting = dry.tasks.find((t) => t.task === 'the key, authorized')!;
    assert.equal(waiting.status, 'changed');
    assert.match(JSON.stringify(waiting.changes), /no \/etc\/backup.pub on web-02 yet/);
    assert.equal(hosts.get('lb-01')!.files.has('/etc/copy.keys'), false);

    const applied = await run(false);
    assert.deepEqual(applied.result.failed, []);
    assert.equal(
      hosts.get('lb-01')!.files.get('/etc/copy.keys')!.content.toString(),
      '# Managed by foobar-infra: written whole on every apply; local edits are overwritten.\n' +
        'restrict,command="echo web-02" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIF7oXnB3LwqYTe0eb3Pq9a8xZ8x2mBvS0hq0m4dX0Wz8 web-02\n',
    );
    assert.equal(hosts.get('lb-01')!.files.get('/etc/copy.keys')!.mode, '0600');
    assert.match(
      hosts.get('web-02')!.files.get('/etc/copy.known_hosts')!.content.toString(),
      new RegExp(`^\\[10\\.0\\.0\\.10\\]:2222 ${HOST_KEY}$`, 'm'),
    );
    const again = await run(false);
    assert.equal(again.result.changed, false);
  });

  it('the key host unreachable: its plays do not run, and the task that reads it fails, naming it', async () => {
    // web-02 is unreachable: its play cannot make the key, and the read fails.
    const down = new Set(['web-02']);
    const { result, tasks } = await runInMemory(project, async (name) => {
      if (down.has(name)) throw new Error(`${name}: connection refused`);
      return new MemoryDriver(hosts.get(name)!);
    });
    assert.deepEqual(result.unreachable, ['web-02']);
    assert.deepEqual(result.failed, ['lb-01']);
    const failed = tasks.find((t) => t.task === 'the key, authorized')!;
    assert.match(String(failed.error), /web-02 is unreachable: its facts cannot be read/);
  });
});
