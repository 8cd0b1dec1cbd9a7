/**
 * The `exit` fact: the exit status of a playbook's shell check (`when`-style
 * tests such as `creates` or `unless`), run with no input and its output
 * dropped. These run one after another, never at once (script.ts): a check
 * may take a lock.
 */
import { FactParseError, type FactKind } from './kind';

export const exitKind: FactKind<'exit'> = {
  kind: 'exit',
  summary: 'the exit code of a read-only check command',
  key: (request) => `exit:${request.script}`,
  command: (request) => `( ${request.script} ) </dev/null >/dev/null 2>&1; echo "$?"`,
  parse(_request, text) {
    const code = Number(text.trim());
    if (!Number.isInteger(code))
      throw new FactParseError(`exit status: unexpected output ${JSON.stringify(text)}`);
    return { kind: 'exit', value: code };
  },
  // A simulated host answers only the shape `test -e PATH`; anything else exits 1.
  simulate: (request, host) => ({
    kind: 'exit',
    value: /^test -e (\S+)$/.test(request.script) && host.exists(request.script.slice(8)) ? 0 : 1,
  }),
};
