/** `sql`: statements run in order by the local admin; sent on stdin, never in argv. */
import { quote } from '../../core/shell';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

export const sqlKind: ChangeKind<'sql'> = {
  kind: 'sql',
  describe: (c) => `${c.redacted.join('; ')} (${c.reason})`,
  shell(c, payloads) {
    // The statements may hold passwords: they go on stdin, never in argv.
    const sql = Buffer.from(`${c.statements.map((s) => s.replace(/;\s*$/, '')).join(';\n')};\n`);
    payloads.push(sql);
    return commitOnly(
      `fb_out=$(dd bs=65536 count=${sql.length} iflag=count_bytes,fullblock status=none | mysql --default-character-set=utf8mb4 --batch 2>&1) || { printf '%s\\n' "$fb_out" >&2; fail ${quote(`SQL failed: ${c.redacted.join('; ')}`)}; }`,
    );
  },
  simulate(c, s) {
    s.onSql(c.statements);
    s.log.push(`sql ${c.redacted.join('; ')}`);
  },
  entry: (c) => ({
    kind: 'sql',
    action: 'execute',
    statements: c.redacted,
    reason: c.reason,
  }),
};
