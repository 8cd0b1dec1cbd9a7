/** `transfer`: data made on another host of the run (a dump), fed on stdin to a command here. */
import { quote } from '../../core/shell';
import type { ChangeKind } from './kind';
import { commitOnly } from './shell-steps';

export const transferKind: ChangeKind<'transfer'> = {
  kind: 'transfer',
  describe: (c) => `${c.reason} (from ${c.from})`,
  shell(c, payloads) {
    if (!c.data) throw new Error(`transfer from ${c.from}: the data was not fetched`);
    payloads.push(c.data);
    return commitOnly(
      `fb_out=$(dd bs=65536 count=${c.data.length} iflag=count_bytes,fullblock status=none | { ${c.importScript}; } 2>&1) || { printf '%s\\n' "$fb_out" | tail -n 20 >&2; fail ${quote(`${c.reason} failed`)}; }`,
    );
  },
  simulate(c, s) {
    s.imports(c.importScript, c.data!);
    s.log.push(`transfer from ${c.from}`);
  },
  entry: (c) => ({ kind: 'transfer', action: 'import', reason: c.reason }),
};
