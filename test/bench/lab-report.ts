/** The lab figures as text: each time also as a multiple of --version, beside its target. */
import type { AnsibleFigures } from './ansible-bench';
import type { LabFigures, PerHost } from './lab-bench';
import type { Stats } from './measure';
import type { FloorFigures } from './login-floor';
import type { ManyFigures } from './many-bench';
import { MANY_TARGETS } from './many-bench';
import { judgeLimit, judgeTime, multiple, timeFigure, type Baseline } from './targets';

const label = (s: string) => s.padEnd(40);

function perHostText(per: PerHost): string {
  return Object.entries(per)
    .map(([h, c]) => `${h} ${c.connections} conn/${c.commands} cmds`)
    .join(', ');
}

/** `target: 1 connection and <= N commands per host  met|MISSED (...)` */
function perHostJudge(per: PerHost, maxCommands: number): string {
  const worst = Object.entries(per).filter(
    ([, c]) => c.connections !== 1 || c.commands > maxCommands,
  );
  const head = `target 1 connection and ${maxCommands === 1 ? '1 command' : `<= ${maxCommands} commands`} per host`;
  if (worst.length === 0 && Object.keys(per).length > 0) return `${head}  met`;
  return `${head}  MISSED (${worst.map(([h, c]) => `${h} ${c.connections}/${c.commands}`).join(', ') || 'no counters'})`;
}

export function labText(lab: LabFigures, b: Baseline): string {
  if (lab.skipped) return `lab figures skipped: ${lab.skipped}\n`;
  const lines: string[] = [];
  const s = (x: Stats) => timeFigure(x, b);
  if (lab.coldUpMs !== undefined)
    lines.push(
      `${label('lab up, cold (image build)')} wall ${lab.coldUpMs.toFixed(0)} ms, of which image build ${(lab.coldImageBuildMs ?? 0).toFixed(0)} ms`,
    );
  else lines.push(`${label('lab up, cold')} not measured (npm run bench -- --cold)`);
  if (lab.warmUp)
    lines.push(
      `${label('lab up, warm, 3 hosts')} wall ${s(lab.warmUp)}  ${judgeTime(lab.warmUp.median, { ms: 20000 }, b)}`,
    );
  if (lab.convergedApply && lab.perHost)
    lines.push(
      `${label('converged apply, test playbook, 3 hosts')} wall ${s(lab.convergedApply)}  [${perHostText(lab.perHost)}]  ${judgeTime(lab.convergedApply.median, { ms: 1000 }, b)}; ${perHostJudge(lab.perHost, 3)}`,
    );
  const site = lab.site;
  if (site) {
    const remote = Object.entries(site.coldRemoteMs)
      .map(([h, ms]) => `${h} ${(ms / 1000).toFixed(1)} s`)
      .join(', ');
    const share = (100 * site.coldToolCpuMs) / site.coldWallMs;
    lines.push(
      `${label('site: first apply on bare hosts')} wall ${(site.coldWallMs / 1000).toFixed(1)} s ${multiple(site.coldWallMs, b)}; remote work (packages, database start-up, files, services) per host: ${remote}; the tool's own CPU ${site.coldToolCpuMs.toFixed(0)} ms = ${share.toFixed(1)}% of the wall time  ${judgeLimit(share, 10, '%')}`,
      `${label('site: converged re-run, 3 hosts')} wall ${s(site.converged)}  [${perHostText(site.perHost)}]  ${judgeTime(site.converged.median, { ms: 400 }, b)}; ${perHostJudge(site.perHost, 1)}`,
      floorText(site.floor, site.converged, site.convergedMachineCpu, b),
      `${label("site: a web host's gather (facts=)")} ${s(site.webFacts)}  ${judgeTime(site.webFacts.median, { ms: 150 }, b)}`,
    );
    const logged = Object.entries(site.sshdSeen)
      .map(([h, n]) => `${h} ${n}`)
      .join(', ');
    const agree = Object.entries(site.sshdSeen).every(
      ([h, n]) => n === site.perHost[h]?.connections,
    );
    lines.push(
      `${label('site: connections in sshd logs')} ${logged} (one re-run)  ${agree ? 'agrees with the transport counters' : 'DIFFERS from the transport counters'}`,
    );
  }
  for (const u of lab.upload?.sizes ?? []) {
    const size = `upload ${u.bytes >= 1048576 ? `${u.bytes / 1048576} MiB` : `${u.bytes / 1024} KiB`}`;
    lines.push(`${label(size)} exec+stdin ${s(u.exec)}; SFTP ${s(u.sftp)}`);
  }
  for (const m of lab.many ?? []) lines.push(manyText(m, b));
  return `${lines.join('\n')}\n`;
}

/**
 * The login floor of the same hosts (login-floor.ts) beside a run's figures:
 * what is the hosts' SSH logins and what is the run's own work, in wall time
 * and in the whole machine's CPU.
 */
function floorText(floor: FloorFigures, run: Stats, machineCpu: Stats, b: Baseline): string {
  return `${label(`  login floor, ${floor.hosts} hosts`)} wall ${timeFigure(floor.wall, b)}, machine CPU ${floor.machineCpu.median.toFixed(0)} ms; the re-run: machine CPU ${machineCpu.median.toFixed(0)} ms, ${(run.median - floor.wall.median).toFixed(0)} ms wall above the floor ${multiple(run.median - floor.wall.median, b)}`;
}

export function manyText(m: ManyFigures, b: Baseline): string {
  const name = label(`converged re-run, ${m.hosts} light hosts`);
  if (m.failed || !m.converged || !m.cpuMs || !m.peakRssMb)
    return `${name} NOT MEASURED: ${m.failed ?? 'no figure'}`;
  const target = MANY_TARGETS[m.hosts];
  const judged = target
    ? `  ${judgeTime(m.converged.median, { ms: target.ms }, b)}; peak RSS ${judgeLimit(m.peakRssMb.max, target.rssMb, ' MB')}`
    : '';
  const line = `${name} wall ${timeFigure(m.converged, b)}, CPU ${m.cpuMs.median.toFixed(0)} ms, peak RSS ${m.peakRssMb.median.toFixed(0)} MB (max ${m.peakRssMb.max.toFixed(0)}); at most ${m.maxConnections} connection and ${m.maxCommands} commands per host; lab up ${((m.upMs ?? 0) / 1000).toFixed(1)} s${judged}`;
  if (!m.floor || !m.machineCpuMs) return line;
  return `${line}\n${floorText(m.floor, m.converged, m.machineCpuMs, b)}`;
}

export function ansibleText(a: AnsibleFigures, b: Baseline): string {
  const lines: string[] = [];
  if (a.version) lines.push(`${label('Ansible')} ${a.version} (Debian's ansible-core)`);
  if (a.equivalence) {
    const side = (changed: string[]) =>
      changed.length === 0 ? 'changed=0 on every host' : `CHANGED ${changed.join(', ')}`;
    lines.push(
      `${label('equivalence on bare hosts')} foobar-infra then Ansible: ${side(a.equivalence.afterEngine)}; Ansible then foobar-infra: ${side(a.equivalence.afterAnsible)}`,
    );
  }
  if (a.skipped) {
    lines.push(`Ansible comparison not measured: ${a.skipped}`);
    return `${lines.join('\n')}\n`;
  }
  if (a.engine && a.ansible && a.ansibleCpuMs && a.ansibleRssMb) {
    const ratio = a.ansible.median / a.engine.median;
    lines.push(
      `${label('converged, test playbook, 3 hosts')} foobar-infra ${timeFigure(a.engine, b)}`,
      `${label('')} Ansible ${timeFigure(a.ansible, b)}, CPU ${a.ansibleCpuMs.median.toFixed(0)} ms, peak RSS ${a.ansibleRssMb.median.toFixed(0)} MB`,
      `${label('Ansible / foobar-infra (medians)')} ${ratio.toFixed(1)}×  target >= 25×  ${ratio >= 25 ? 'met' : `MISSED by ${(25 - ratio).toFixed(1)}×`}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
