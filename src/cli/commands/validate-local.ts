/**
 * `validate`'s checks on the controller: a template task whose `validate`
 * needs nothing of the host (`validate_locally`) has it run here, on the file
 * rendered here, when its program is installed here (else a warning: `apply`
 * still checks it on the host). The same content is checked once.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from '../../core/errors';
import { quote } from '../../core/shell';
import type { HostFiles } from '../../engine/desired-files';

/** A check that hangs is stopped: validate never waits for ever. */
const CHECK_TIMEOUT_MS = 30_000;

export function checkLocally(hosts: readonly HostFiles[], playbook: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const done = new Set<string>();
  const missing = new Set<string>();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-validate-'));
  try {
    for (const { host, files } of hosts)
      for (const f of files) {
        if (!f.validate) continue;
        const program = f.validate.trim().split(/\s+/)[0]!;
        const key = `${f.validate}\0${createHash('sha256').update(f.content).digest('hex')}`;
        if (done.has(key)) continue;
        done.add(key);
        const where = { severity: 'error' as const, file: playbook, line: f.line ?? 1 };
        if (!onPath(program)) {
          if (!missing.has(program))
            out.push({
              ...where,
              severity: 'warning',
              message: `task "${f.task}": ${program} is not installed here, so ${f.path} was not checked (apply checks it on the host)`,
            });
          missing.add(program);
          continue;
        }
        const file = path.join(dir, `${done.size}-${path.basename(f.path)}`);
        fs.writeFileSync(file, f.content, { mode: 0o600 });
        const r = spawnSync('sh', ['-c', f.validate.replaceAll('%s', quote(file))], {
          encoding: 'utf8',
          timeout: CHECK_TIMEOUT_MS,
        });
        if (r.status === 0) continue;
        const said = `${r.stdout ?? ''}${r.stderr ?? ''}`.replaceAll(file, f.path).trim();
        out.push({
          ...where,
          message: `task "${f.task}": \`${f.validate.replaceAll('%s', f.path)}\` refuses the file rendered for ${host}${r.error ? ` (${r.error.message})` : ''}:\n${said.split('\n').slice(-8).join('\n')}`,
        });
      }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${quote(program)}`], { stdio: 'ignore' }).status === 0;
}
