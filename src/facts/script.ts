import { quote, quoteArgv } from './shell';
import { factKey, unitName, type FactRequest } from './types';

/** Marks the start and end of each fact's output in the gather script. */
export const FACT_BEGIN = '@@foobar-fact-begin@@';
export const FACT_END = '@@foobar-fact-end@@';

/** The shell commands that print one fact. Output is read by parse.ts. */
export function factCommand(request: FactRequest): string {
  switch (request.kind) {
    case 'file': {
      const p = quote(request.path);
      return [
        `if [ -L ${p} ]; then printf 'link\\t%s\\n' "$(readlink -- ${p})"; stat --printf '%a\\t%U\\t%G\\t%s\\n' -- ${p};`,
        `elif [ -e ${p} ]; then stat --printf '%F\\t%a\\t%U\\t%G\\t%s\\n' -- ${p}; if [ -f ${p} ]; then sha256sum -- ${p}; fi;`,
        `else echo absent; fi`,
      ].join(' ');
    }
    case 'tree': {
      const p = quote(request.path);
      return [
        `if [ -d ${p} ] && [ ! -L ${p} ]; then cd ${p} &&`,
        `find . -mindepth 1 \\( -type f -printf 'f\\t%m\\t%u\\t%g\\t%P\\n' \\) -o \\( -type d -printf 'd\\t%m\\t%u\\t%g\\t%P\\n' \\) &&`,
        `find . -mindepth 1 -type f -exec sha256sum -- {} + ; cd /;`,
        `else echo absent; fi`,
      ].join(' ');
    }
    case 'packages':
      return `dpkg-query -W -f='\${Package}\\t\${db:Status-Abbrev}\\t\${Version}\\n' -- ${quoteArgv(request.names)} 2>/dev/null; true`;
    case 'units':
      return `systemctl show --property=Id,LoadState,ActiveState,SubState,UnitFileState,NeedDaemonReload -- ${quoteArgv(request.names.map(unitName))} 2>/dev/null; true`;
    case 'exit':
      return `( ${request.script} ) </dev/null >/dev/null 2>&1; echo "$?"`;
    case 'exists':
      return `if [ -e ${quote(request.path)} ] || [ -L ${quote(request.path)} ]; then echo yes; else echo no; fi`;
  }
}

/**
 * One script that prints every requested fact, each between markers. One
 * remote command per host, whatever the number of facts.
 */
export function gatherScript(requests: readonly FactRequest[]): string {
  const lines = ['export LC_ALL=C'];
  uniqueRequests(requests).forEach((request, i) => {
    lines.push(`printf '%s %s\\n' ${FACT_BEGIN} ${i}`);
    lines.push(`{ ${factCommand(request)}; } 2>/dev/null`);
    lines.push(`printf '%s\\n' ${FACT_END}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The requests without repeats, in first-asked order: section i of the output is request i. */
export function uniqueRequests(requests: readonly FactRequest[]): FactRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => {
    const key = factKey(r);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
