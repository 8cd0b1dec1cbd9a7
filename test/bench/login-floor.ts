/**
 * The floor under a converged run on the lab: a fresh process that loads the
 * inventory, opens one SSH connection per host with the tool's own transport
 * (all at once, as `--forks` as many as hosts does) and runs `true` as root
 * on each, nothing else. A converged run's one connection and one command per
 * host are this, plus the work: it cannot be faster on the same machine.
 *
 * On the lab the hosts share the machine's cores with the tool, and each
 * login costs CPU in the host's sshd, PAM and sudo. The floor is therefore
 * given with the whole machine's CPU time, beside the runs' own.
 *
 * `node login-floor.js INVENTORY` is the measured process.
 */
import { spawnSync } from 'node:child_process';
import { connectTarget } from '../../src/engine/targets';
import { loadInventory } from '../../src/inventory/load';
import { sshTransport } from '../../src/transport';
import { machineCpuMs, stats, type Stats } from './measure';

export interface FloorFigures {
  hosts: number;
  wall: Stats;
  machineCpu: Stats;
}

async function loginEveryHost(inventoryPath: string): Promise<void> {
  const inventory = loadInventory(inventoryPath).value;
  if (!inventory) throw new Error(`${inventoryPath}: the inventory does not load`);
  const noSecret = () => {
    throw new Error('the floor is measured on lab hosts, which need no secret to log in');
  };
  const transport = sshTransport();
  const connections = await Promise.all(
    [...inventory.hosts.keys()].map(async (host) => {
      const c = await transport.connect(
        connectTarget(inventory, host, { acceptNew: false, secret: noSecret }),
      );
      const r = await c.exec('true', { become: true });
      if (r.code !== 0) throw new Error(`${host}: true as root exited ${r.code}`);
      return c;
    }),
  );
  await Promise.all(connections.map((c) => c.close()));
}

/** The floor on every host of `inventoryPath`, `runs` times, each in a fresh process. */
export function loginFloor(inventoryPath: string, hosts: number, runs: number): FloorFigures {
  const once = () => {
    const cpu0 = machineCpuMs();
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [__filename, inventoryPath], { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`the login floor failed: ${r.stderr}`);
    return { ms, cpu: machineCpuMs() - cpu0 };
  };
  once(); // warm the file cache
  const samples = Array.from({ length: runs }, once);
  return {
    hosts,
    wall: stats(samples.map((s) => s.ms)),
    machineCpu: stats(samples.map((s) => s.cpu)),
  };
}

if (require.main === module) {
  loginEveryHost(process.argv[2]!).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
