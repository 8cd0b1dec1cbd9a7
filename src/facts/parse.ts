/**
 * Reading a gather's output: cut into sections by marker, each parsed by its
 * kind's parser (kinds/), the shared sections (files, units, SQL sessions)
 * shared back out to the facts that asked.
 */
import { splitFiles } from './files-batch';
import { factKind } from './kinds';
import { FactParseError } from './kinds/kind';
import { parseUnits } from './kinds/units';
import {
  factMarkers,
  FILES_SECTION,
  gatherLayout,
  sharedNames,
  sharedPaths,
  UNITS_SECTION,
} from './script';
import { parseSession, type SqlRequest } from './sql-batch';
import { factKey, type Fact, type FactRequest } from './types';

export { FactParseError, parseUnits };
export { parseAccount } from './kinds/account';
export { parseFile } from './kinds/file';
export { parsePackages } from './kinds/packages';
export { parseSshConnection } from './kinds/ssh-client';
export { parseTree } from './kinds/tree';

/**
 * Splits gather output into each fact's raw text, by key. The script ends
 * every section's output with a newline before the end marker; that newline
 * and one more at the end of the output (a line's own) are not the fact's.
 * A section begun but never ended (output cut short) is left out.
 */
export function splitSections(output: string, nonce = ''): Map<string, string> {
  const { begin, end } = factMarkers(nonce);
  const sections = new Map<string, string>();
  const lines = output.split('\n');
  let key: string | undefined;
  let body: string[] = [];
  for (const line of lines) {
    if (line.startsWith(`${begin} `)) {
      key = line.slice(begin.length + 1);
      body = [];
    } else if (line === end && key !== undefined) {
      sections.set(key, body.join('\n').replace(/\n$/, ''));
      key = undefined;
    } else if (key !== undefined) {
      body.push(line);
    }
  }
  return sections;
}

/** Reads every requested fact from a gather script's output. */
export function parseFacts(
  requests: readonly FactRequest[],
  output: string,
  nonce = '',
): Map<string, Fact> {
  const sections = splitSections(output, nonce);
  const layout = gatherLayout(requests);
  const facts = new Map<string, Fact>();
  for (const [key, members] of layout.sections) {
    const text = sections.get(key);
    const asked = members.map((i) => layout.requests[i]!);
    const first = asked[0]!;
    if (text === undefined) throw new FactParseError(`no output for fact ${factKey(first)}`);
    if (first.kind === 'sql') {
      const session = asked as SqlRequest[];
      parseSession(session, text).forEach((value, j) =>
        facts.set(factKey(session[j]!), { kind: 'sql', value }),
      );
    } else if (key === UNITS_SECTION) {
      // Blocks come in the order asked: read once for every name, then shared out.
      const all = parseUnits(sharedNames(asked), text);
      for (const r of asked as Extract<FactRequest, { kind: 'units' }>[])
        facts.set(factKey(r), {
          kind: 'units',
          value: new Map(r.names.map((n) => [n, all.get(n)!])),
        });
    } else if (key === FILES_SECTION) {
      const texts = splitFiles(sharedPaths(asked), text);
      for (const r of asked)
        if (r.kind === 'file') facts.set(factKey(r), parseFact(r, texts.get(r.path)!));
    } else {
      for (const r of asked) facts.set(factKey(r), parseFact(r, text));
    }
  }
  return facts;
}

/** Reads one fact from its section's text, with its kind's parser (kinds/). */
export function parseFact(request: FactRequest, text: string): Fact {
  return factKind(request).parse(request, text);
}
