/**
 * `npm run bench -- --vs-ansible`: the engine's test playbook
 * (test/fixtures/playbooks/engine-e2e.yml) against its Ansible equivalent
 * (test/bench/ansible/engine-e2e.yml), converged, on the same three lab hosts.
 *
 * Equivalence is checked first, both ways, on bare hosts: after foobar-infra
 * converged them, Ansible must report changed=0, and after Ansible converged
 * them, foobar-infra must. Then both re-run alternately on the same hosts.
 * Ansible is Debian's ansible-core with pipelining on, forks 10, no fact
 * gathering, the lab's key and known_hosts, and Ansible's own default
 * ControlPersist (it helps Ansible). Lab `bench` is taken down at the end.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadInventory } from '../../src/inventory/load';
import { SITE_VARIABLES } from '../../src/site/variables';
import { labDown, labUp, resetLab, labUnsupportedReason, type LabInfo } from '../../src/lab';
import { installPython } from './ansible-python';
import { BENCH_LAB, ROOT, changedHosts, timedApply } from './apply-run';
import { stats, type Stats } from './measure';

export interface AnsibleFigures {
  skipped?: string;
  version?: string;
  /** Each direction of the equivalence check: what the second tool changed (empty: none). */
  equivalence?: { afterEngine: string[]; afterAnsible: string[] };
  engine?: Stats;
  ansible?: Stats;
  ansibleCpuMs?: Stats;
  ansibleRssMb?: Stats;
}

const ENGINE_PLAYBOOK = path.join(ROOT, 'test', 'fixtures', 'playbooks', 'engine-e2e.yml');
const ANSIBLE_PLAYBOOK = path.join(ROOT, 'test', 'bench', 'ansible', 'engine-e2e.yml');

/** Runs a command, measuring wall time, the CPU time of it and its children, and their peak RSS. */
const MEASURE_PY = `
import json, resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[2:])
wall = (time.monotonic() - t) * 1000
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], 'w').write(json.dumps({'code': r.returncode, 'ms': wall,
  'cpuMs': (u.ru_utime + u.ru_stime) * 1000, 'rssKb': u.ru_maxrss}))
`;

export function ansibleVersion(): string | undefined {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return r.stdout.split('\n')[0]?.trim();
}

/**
 * An inventory and ansible.cfg for the lab, in a temp folder. The variables
 * are the engine's own, defaults included (`inventory --list` shows only
 * what the inventory sets, as `ansible-inventory` does).
 */
export function ansibleSetup(lab: LabInfo, dir: string): string {
  const inventory = loadInventory(lab.inventoryPath, { variables: SITE_VARIABLES }).value;
  if (!inventory) throw new Error(`${lab.inventoryPath}: the lab inventory does not load`);
  const group = (role: string) =>
    lab.hosts
      .filter((h) => h.role === role)
      .map((h) => {
        const v = inventory.hosts.get(h.name)?.vars ?? {};
        const vars = {
          ansible_host: h.address,
          private_address: v.private_address,
          lb_port: v.lb_port,
          web_port: v.web_port,
        };
        for (const [name, value] of Object.entries(vars))
          if (value === undefined) throw new Error(`${h.name}: the engine has no ${name}`);
        return `        ${h.name}: ${JSON.stringify(vars)}\n`;
      })
      .join('');
  fs.writeFileSync(
    path.join(dir, 'hosts.yml'),
    `all:\n  children:\n    lb:\n      hosts:\n${group('lb')}    web:\n      hosts:\n${group('web')}`,
  );
  const cfg = path.join(dir, 'ansible.cfg');
  fs.writeFileSync(
    cfg,
    [
      '[defaults]',
      `inventory = ${path.join(dir, 'hosts.yml')}`,
      'remote_user = deploy',
      `private_key_file = ${lab.keyPath}`,
      'forks = 10',
      'gathering = explicit',
      'host_key_checking = True',
      'interpreter_python = /usr/bin/python3',
      'retry_files_enabled = False',
      `local_tmp = ${path.join(dir, 'tmp')}`,
      '',
      '[ssh_connection]',
      'pipelining = True',
      `control_path_dir = ${path.join(dir, 'cp')}`,
      // Ansible's default ssh_args, plus the lab's known_hosts and key only.
      `ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -F /dev/null -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${lab.knownHostsPath} -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes`,
      '',
    ].join('\n'),
  );
  return cfg;
}

interface AnsibleRun {
  ms: number;
  cpuMs: number;
  rssMb: number;
  stdout: string;
}

export function runAnsible(cfg: string): AnsibleRun {
  const out = path.join(path.dirname(cfg), 'usage.json');
  const r = spawnSync('python3', ['-c', MEASURE_PY, out, 'ansible-playbook', ANSIBLE_PLAYBOOK], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ANSIBLE_CONFIG: cfg, ANSIBLE_NOCOLOR: '1' },
  });
  const u = JSON.parse(fs.readFileSync(out, 'utf8')) as {
    code: number;
    ms: number;
    cpuMs: number;
    rssKb: number;
  };
  if (u.code !== 0) throw new Error(`ansible-playbook failed (${u.code}):\n${r.stdout}${r.stderr}`);
  return { ms: u.ms, cpuMs: u.cpuMs, rssMb: u.rssKb / 1024, stdout: r.stdout };
}

export async function ansibleFigures(
  runs: number,
  progress: (line: string) => void,
): Promise<AnsibleFigures> {
  const unsupported = labUnsupportedReason();
  if (unsupported) return { skipped: unsupported };
  const version = ansibleVersion();
  if (!version)
    return {
      skipped:
        'ansible-playbook not found (apt-get install -y --no-install-recommends ansible-core)',
    };
  const quiet = () => undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-bench-ansible-'));
  fs.mkdirSync(path.join(dir, 'tmp'));
  fs.mkdirSync(path.join(dir, 'cp'));
  try {
    let lab: LabInfo = await labUp({ ...BENCH_LAB, progress: quiet });
    const cfg = ansibleSetup(lab, dir);
    const engine = () => timedApply(['-i', lab.inventoryPath, ENGINE_PLAYBOOK]);
    const bare = async () => {
      lab = await resetLab(BENCH_LAB.name, { progress: quiet });
      await installPython(lab, progress);
    };
    progress('equivalence: foobar-infra on bare hosts, then Ansible must change nothing');
    await bare();
    engine();
    const afterEngine = changedHosts(runAnsible(cfg).stdout);
    progress('equivalence: Ansible on bare hosts, then foobar-infra must change nothing');
    await bare();
    runAnsible(cfg);
    const afterAnsible = changedHosts(engine().stdout);
    const equivalence = { afterEngine, afterAnsible };
    if (afterEngine.length > 0 || afterAnsible.length > 0)
      return { version, equivalence, skipped: 'the playbooks are not equivalent' };
    progress(`converged re-runs, alternately, ${runs} each`);
    const e: number[] = [];
    const a: AnsibleRun[] = [];
    for (let i = 0; i < runs; i++) {
      e.push(engine().ms);
      a.push(runAnsible(cfg));
    }
    const last = a.at(-1)!.stdout;
    if (changedHosts(last).length > 0) throw new Error(`Ansible re-run not converged:\n${last}`);
    return {
      version,
      equivalence,
      engine: stats(e),
      ansible: stats(a.map((x) => x.ms)),
      ansibleCpuMs: stats(a.map((x) => x.cpuMs)),
      ansibleRssMb: stats(a.map((x) => x.rssMb)),
    };
  } finally {
    await labDown(BENCH_LAB.name, { progress: quiet });
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
