import { strict as assert } from 'node:assert';
import { Redactor } from '../../src/core/redact';
import type { EngineEvent } from '../../src/engine/events';
import { MemoryDriver } from '../support/memory-driver';
import { MemoryHost } from '../../src/facts/memory-host';
import { requireProject } from '../../src/engine/project';
import { SITE } from '../../src/cli/site-project';
import { runPlaybook } from '../../src/engine/runner';
import { resolveSecrets } from '../../src/engine/secrets';
import { VaultStore } from '../../src/vault/vault-store';
import { fixture } from '../support/cli';

/** These projects hold no vault reference: a vault opened here is a bug of the test. */
const noVaults = new VaultStore(() => Promise.reject(new Error('no vault in this test')));

/** The firewall module through the engine: plan-time refusal, load, confirm or revert. */
describe('engine: a firewall ruleset is confirmed over a new connection, or never kept', () => {
  const project = requireProject(
    fixture('inventories', 'good', 'minimal.yml'),
    fixture('playbooks', 'engine-firewall.yml'),
    SITE,
  );
  let lb: MemoryHost;

  beforeEach(() => {
    lb = new MemoryHost('lb-01');
    lb.dirs.set('/etc', { mode: '0755', owner: 'root', group: 'root' });
  });

  async function run(check = false) {
    const events: EngineEvent[] = [];
    const result = await runPlaybook({
      project,
      secret: await resolveSecrets(project, [], new Redactor(), noVaults),
      redact: (text) => text,
      connect: async () => new MemoryDriver(lb),
      emit: (e) => events.push(e),
      check,
      diff: false,
      forks: 1,
    });
    const task = events.find(
      (e): e is Extract<EngineEvent, { type: 'task' }> => e.type === 'task',
    )!;
    return { result, task };
  }

  it('a ruleset that keeps SSH open is loaded, confirmed, and only then written; the next run changes nothing', async () => {
    const { result, task } = await run();
    assert.equal(task.status, 'changed');
    assert.deepEqual(lb.log, ['load /etc/nftables.conf', 'confirm /etc/nftables.conf']);
    assert.match(lb.files.get('/etc/nftables.conf')!.content.toString(), /192\.0\.2\.0\/24/);
    assert.equal(lb.files.get('/etc/nftables.conf')!.mode, '0755');
    assert.equal(result.failed.length, 0);
    assert.equal((await run()).result.changed, false);
  });

  it('no new connection gets through: the task fails and the boot file is never written', async () => {
    lb.newConnectionsPass = false;
    const { result, task } = await run();
    assert.equal(task.status, 'failed');
    assert.match(String(task.error), /a new SSH connection to confirm it failed/);
    assert.deepEqual(lb.log, ['load /etc/nftables.conf', 'revert /etc/nftables.conf']);
    assert.ok(!lb.files.has('/etc/nftables.conf'));
    assert.deepEqual(result.failed, ['lb-01']);
  });

  it('the controller outside the SSH rule: refused at plan time, in a dry run too, before anything is loaded', async () => {
    lb.sshClient = {
      address: '198.51.100.7',
      port: 40000,
      serverAddress: '192.0.2.10',
      serverPort: 22,
    };
    for (const check of [true, false]) {
      const { task } = await run(check);
      assert.equal(task.status, 'failed');
      assert.match(
        String(task.error),
        /refused: the rendered ruleset \(firewall\.nft\.hbs\) would block this run's SSH connection \(from 198\.51\.100\.7 to port 22\): the input chain "input" of table inet foobar drops new connections by policy/,
      );
    }
    assert.deepEqual(lb.log, []);
  });

  it('an sshd on another port than the inventory says: both ports are checked', async () => {
    lb.sshClient = {
      address: '192.0.2.1',
      port: 40000,
      serverAddress: '192.0.2.10',
      serverPort: 2222,
    };
    const { task } = await run();
    assert.equal(task.status, 'failed');
    assert.match(String(task.error), /to port 2222/);
  });

  it('the host cannot tell where the run comes from: refused rather than guessed', async () => {
    lb.sshClient = undefined;
    const { task } = await run();
    assert.equal(task.status, 'failed');
    assert.match(String(task.error), /cannot tell the address this run connects from/);
  });
});
