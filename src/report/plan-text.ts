import { MASK } from '../core/redact';
import type { PlanChange, PlanDocument } from './plan-schema';
import { painter, type Paint } from './text-reporter';

const SIGN: Record<string, string> = { create: '+', install: '+', remove: '-', update: '~' };

/**
 * The plan for people: hosts whose changes are identical are shown once
 * (`web-01, web-02`), each change with its task, validation and diff; then
 * failures, unreachable hosts, converged hosts and a one-line summary.
 */
export function planText(doc: PlanDocument, paint: Paint = painter(false)): string {
  const out: string[] = [];
  const where =
    doc.mode === 'offline'
      ? `a fresh render compared with the earlier render in ${doc.against ?? '?'} (no SSH)`
      : 'compared with the live hosts (dry run: nothing was changed)';
  out.push(`PLAN: ${doc.playbook} with ${doc.inventory}, ${where}`);
  const byName = new Map(doc.hosts.map((h) => [h.name, h]));
  for (const group of doc.groups) {
    const first = byName.get(group.hosts[0]!)!;
    const n = first.changes.length;
    out.push(
      '',
      paint(
        `${group.hosts.join(', ')}: ${n} change${n === 1 ? '' : 's'}${group.hosts.length > 1 ? ' each' : ''}`,
        'changed',
      ),
    );
    for (const c of first.changes) out.push(...changeLines(c, doc.mode));
  }
  for (const h of doc.hosts.filter((x) => x.status === 'failed')) {
    out.push('', paint(`${h.name}: FAILED`, 'failed'));
    const refused = h.changes.some((c) => c.validation?.status === 'failed');
    for (const f of h.failures) {
      // A refused candidate's validator output is shown once, with its change below.
      const message = refused ? f.message.split('\n')[0]! : f.message;
      out.push(`  ! ${f.handler ? 'handler ' : ''}${f.task}: ${indent(message, '    ')}`);
    }
    if (h.changes.length) {
      out.push(`  and the changes planned before and after it:`);
      for (const c of h.changes) out.push(...changeLines(c, doc.mode));
    }
  }
  for (const h of doc.hosts.filter((x) => x.status === 'unreachable'))
    out.push('', paint(`${h.name}: UNREACHABLE: ${h.error ?? ''}`, 'failed'));
  const converged = doc.hosts.filter((h) => h.status === 'converged').map((h) => h.name);
  if (converged.length) out.push('', paint(`converged: ${converged.join(', ')}`, 'ok'));
  out.push('', summaryLine(doc));
  return out.join('\n');
}

export function summaryLine(doc: PlanDocument): string {
  const s = doc.summary;
  const v = s.validations;
  const checked =
    v.passed + v.failed + v.unavailable > 0
      ? `; validated on the hosts: ${v.passed} passed, ${v.failed} failed, ${v.unavailable} not yet possible`
      : '';
  const meaning =
    doc.exitCode === 0
      ? 'converged'
      : doc.exitCode === 2
        ? 'changes pending'
        : 'error: the plan is incomplete or a check failed';
  const withChanges = doc.hosts.filter((h) => h.changes.length > 0).length;
  return `Plan: ${s.changes} change${s.changes === 1 ? '' : 's'} on ${withChanges} host${withChanges === 1 ? '' : 's'}, ${s.converged} converged, ${s.failed} failed, ${s.unreachable} unreachable${checked}. Exit ${doc.exitCode}: ${meaning}.`;
}

function changeLines(c: PlanChange, mode: PlanDocument['mode']): string[] {
  const sign = SIGN[c.action] ?? '~';
  const origin = `${c.handler ? 'handler ' : ''}${c.task}`;
  const lines = [`  ${sign} ${c.summary}    [${origin}]`];
  if (c.kind !== 'file' || mode === 'live') lines.push(`      why: ${c.reason}`);
  if (c.statements && c.statements.length > 1)
    for (const s of c.statements) lines.push(`      sql> ${s}`);
  const v = c.validation;
  if (v?.status === 'passed') lines.push(`      validated on the host: \`${v.command}\` passed`);
  if (v?.status === 'failed')
    lines.push(
      `      VALIDATION FAILED: \`${v.command}\` exit ${v.exitCode}:`,
      indent(v.output ?? '', '        ', true),
    );
  if (v?.status === 'unavailable')
    lines.push(
      `      not validated: ${v.program} is not installed yet: \`${v.command}\` will run during apply`,
    );
  if (c.diff && c.diff.hunks.length) {
    const path = c.path ?? '';
    lines.push(
      `      --- ${path}${c.diff.created ? ' (absent)' : mode === 'offline' ? ' (earlier render)' : ' (on the host)'}`,
      `      +++ ${path}${mode === 'offline' ? ' (fresh render)' : ' (planned)'}${c.diff.masked ? ` (secrets shown as ${MASK})` : ''}`,
      ...c.diff.hunks.map((l) => `      ${l}`),
    );
  }
  return lines;
}

function indent(text: string, pad: string, first = false): string {
  const body = text.split('\n').join(`\n${pad}`);
  return first ? `${pad}${body}` : body;
}
