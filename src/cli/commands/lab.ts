/** `foobar-infra lab up|down|status|ssh`: the local test hosts. */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  DEFAULT_LAB_NAME,
  labDown as downLab,
  labSshTarget,
  labStatus as statusOfLab,
  labUp as upLab,
  labUnsupportedReason,
  resetLab,
  saveCheckpoint,
  sshInteractive,
  type Flavor,
  type LabHost,
  caLine,
  powerHosts,
} from '../../lab';
import { EnvironmentError } from '../../core/errors';
import type { Io } from '../io';

export interface LabUpCliOptions {
  flavor?: Flavor;
  hosts?: string;
  subnet?: string;
  name?: string;
}

/** The project folder (with package.json "foobar-infra"), when running from a checkout. */
function projectRoot(): string | undefined {
  const root = resolve(__dirname, '..', '..', '..', '..');
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string };
    return pkg.name === 'foobar-infra' && existsSync(join(root, 'inventories')) ? root : undefined;
  } catch {
    return undefined;
  }
}

const seconds = (ms: number | undefined) =>
  ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;

function describeHost(host: LabHost): string {
  if (host.role === 'lb') return 'lb';
  if (host.mysqlRole === 'primary') return 'web, mysql primary';
  return `web, mysql replica of ${host.mysqlSource}`;
}

function hostTable(hosts: readonly (LabHost & { status?: string })[]): string[] {
  const width = Math.max(...hosts.map((h) => h.name.length), 4);
  return hosts.map(
    (h) =>
      `  ${h.name.padEnd(width)}  ${h.address.padEnd(15)}${h.status ? `  ${h.status.padEnd(7)}` : ''}  ${describeHost(h)}`,
  );
}

function requireSupported(step: string): void {
  const reason = labUnsupportedReason();
  if (reason) throw new EnvironmentError(reason, step);
}

export async function labUp(opts: LabUpCliOptions, io: Io): Promise<number> {
  requireSupported('lab up');
  const name = opts.name ?? DEFAULT_LAB_NAME;
  const project = projectRoot();
  const copyTo =
    name === DEFAULT_LAB_NAME && project ? join(project, 'inventories', 'lab.yml') : undefined;
  const result = await upLab({
    name,
    flavor: opts.flavor,
    hosts: opts.hosts,
    subnet: opts.subnet,
    copyInventoryTo: copyTo,
    progress: (line) => io.err(line),
  });
  const t = result.timings;
  if (result.alreadyRunning) {
    io.out(
      `lab ${name} is already running (flavour ${result.flavor}, ${result.subnet}); nothing changed`,
    );
  } else {
    const parts = [`boot ${seconds(t.bootMs)}`];
    if (t.imageBuildMs !== undefined) parts.push(`image build ${seconds(t.imageBuildMs)}`);
    if (t.repoBuildMs !== undefined) parts.push(`repository build ${seconds(t.repoBuildMs)}`);
    io.out(
      `lab ${name} is up (flavour ${result.flavor}, ${result.subnet}) in ${seconds(t.totalMs)}: ${parts.join(', ')}`,
    );
  }
  for (const line of hostTable(result.hosts)) io.out(line);
  for (const d of result.degraded)
    io.out(`  note: ${d.host} is degraded; failed units: ${d.failedUnits.join(', ')}`);
  io.out(
    `inventory: ${result.inventoryPath}${copyTo ? ` (copied to ${relative(process.cwd(), copyTo) || copyTo})` : ''}`,
  );
  io.out(caLine(result));
  io.out(
    `ssh: foobar-infra lab ssh ${name === DEFAULT_LAB_NAME ? '' : `--name ${name} `}${result.hosts[0]?.name ?? 'HOST'}`,
  );
  return 0;
}

export async function labDown(opts: { name?: string }, io: Io): Promise<number> {
  requireSupported('lab down');
  const result = await downLab(opts.name, { progress: (line) => io.err(line) });
  if (!result.wasUp) {
    io.out(`lab ${result.name} is not running; nothing to do`);
    return 0;
  }
  const summary = result.hosts.map((h) => `${h.name} ${h.outcome}`).join(', ');
  io.out(`lab ${result.name} is down in ${seconds(result.ms)}${summary ? `: ${summary}` : ''}`);
  return 0;
}

export async function labReset(
  hosts: string[],
  opts: { name?: string; to?: string },
  io: Io,
): Promise<number> {
  requireSupported('lab reset');
  const result = await resetLab(opts.name, {
    hosts: hosts.length > 0 ? hosts : undefined,
    to: opts.to,
    progress: (line) => io.err(line),
  });
  const where = opts.to === undefined ? 'bare again' : `back at checkpoint ${opts.to}`;
  io.out(`lab ${result.name}: hosts are ${where} in ${seconds(result.timings.totalMs)}`);
  for (const d of result.degraded) {
    io.out(`  note: ${d.host} is degraded; failed units: ${d.failedUnits.join(', ')}`);
  }
  return 0;
}

/** `lab checkpoint NAME [HOST...]`: freeze the hosts' disks for `lab reset --to NAME`. */
export async function labCheckpoint(
  checkpoint: string,
  hosts: string[],
  opts: { name?: string },
  io: Io,
): Promise<number> {
  requireSupported('lab checkpoint');
  const result = await saveCheckpoint(opts.name, checkpoint, {
    hosts: hosts.length > 0 ? hosts : undefined,
    progress: (line) => io.err(line),
  });
  io.out(
    `lab ${result.lab}: checkpoint ${result.name} of ${result.hosts.join(', ')} saved in ${seconds(result.ms)}`,
  );
  return 0;
}

/** `lab stop HOST...` / `lab start HOST...`: power hosts off or on, keeping their disks. */
export async function labPower(
  power: 'on' | 'off',
  hosts: string[],
  opts: { name?: string },
  io: Io,
): Promise<number> {
  requireSupported(power === 'on' ? 'lab start' : 'lab stop');
  const changed = await powerHosts(opts.name, hosts, power, { progress: (line) => io.err(line) });
  const rest = hosts.filter((h) => !changed.includes(h));
  if (changed.length)
    io.out(
      `${changed.join(', ')}: ${power === 'on' ? 'booted from disk' : 'powered off (disk kept)'}`,
    );
  if (rest.length) io.out(`${rest.join(', ')}: already ${power === 'on' ? 'running' : 'off'}`);
  return 0;
}

export async function labStatus(opts: { name?: string }, io: Io): Promise<number> {
  const status = await statusOfLab(opts.name);
  if (status.state === 'absent' || !status.info) {
    io.out(`lab ${status.name} is not running`);
    return 0;
  }
  const info = status.info;
  const state =
    status.state === 'running'
      ? 'running'
      : 'partly up (lab start for hosts powered off; else lab up to repair, or lab down)';
  io.out(
    `lab ${status.name}: ${state}; flavour ${info.flavor} (${info.suite}), ${info.subnet} on ${info.bridge}`,
  );
  for (const line of hostTable(status.hosts)) io.out(line);
  for (const problem of status.problems) io.out(`  problem: ${problem}`);
  for (const c of status.checkpoints)
    io.out(`checkpoint ${c.name}: ${c.hosts.join(', ')} (saved ${c.createdAt})`);
  io.out(`inventory: ${info.inventoryPath}`);
  io.out(caLine(info));
  return 0;
}

export async function labSsh(
  host: string,
  command: string[],
  opts: { name?: string },
  io: Io,
): Promise<number> {
  requireSupported('lab ssh');
  const target = labSshTarget(opts.name, host);
  const interactive = command.length === 0 && Boolean(process.stdin.isTTY) && io.isTty;
  return sshInteractive(target, command, { tty: interactive, batch: !interactive });
}
