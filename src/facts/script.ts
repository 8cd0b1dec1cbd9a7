import { filesCommand, sharesFilesSection } from './files-batch';
import { factKind } from './kinds';
import { loginOf, sessionCommand, type SqlRequest } from './sql-batch';
import { factKey, type FactRequest } from './types';

/**
 * The lines that start and end each fact's output in the gather's output.
 * With a nonce (a fresh random token per gather, letters and digits), output
 * that imitates them cannot end a section early or forge another: a file
 * name in a folder others may write to, say, or a file read whole. Without
 * one they are the fixed FACT_BEGIN and FACT_END (recorded test outputs).
 */
export function factMarkers(nonce = ''): { begin: string; end: string } {
  if (!/^[a-z0-9]*$/i.test(nonce)) throw new Error('a gather nonce is letters and digits');
  const tag = nonce ? `-${nonce}` : '';
  return { begin: `@@foobar-fact-begin${tag}@@`, end: `@@foobar-fact-end${tag}@@` };
}
export const FACT_BEGIN = factMarkers().begin;
export const FACT_END = factMarkers().end;

/**
 * The shell commands that print one fact in a section of its own, from its
 * kind's definition (kinds/). Output is read by parse.ts.
 */
export function factCommand(request: FactRequest): string {
  const kind = factKind(request);
  if (!kind.command)
    throw new Error(kind.noCommand ?? `a ${request.kind} fact has no command of its own`);
  return kind.command(request);
}

/**
 * Where each fact is gathered: a section of its own, or a share of a section
 * that answers several at once: one client session per SQL login, one
 * `dpkg-query` for every package fact, one `systemctl show` for every unit
 * fact, one `stat` and one `sha256sum` for every file fact (files-batch.ts):
 * each program started costs a host tens of milliseconds of CPU. The parser
 * reads the same layout.
 */
export interface GatherLayout {
  requests: FactRequest[];
  /** Section key → the indexes (into `requests`) it answers; one unless shared. */
  sections: Map<string, number[]>;
}

/** The keys of the shared sections of packages, units and files. */
export const PACKAGES_SECTION = 'packages';
export const UNITS_SECTION = 'units';
export const FILES_SECTION = 'files';

export function gatherLayout(all: readonly FactRequest[]): GatherLayout {
  const requests = uniqueRequests(all);
  const sections = new Map<string, number[]>();
  const sessions = new Map<string, string>();
  const share = (key: string, i: number) => {
    if (!sections.has(key)) sections.set(key, []);
    sections.get(key)!.push(i);
  };
  requests.forEach((r, i) => {
    if (r.kind === 'packages') return share(PACKAGES_SECTION, i);
    if (r.kind === 'units') return share(UNITS_SECTION, i);
    if (r.kind === 'file' && sharesFilesSection(r.path)) return share(FILES_SECTION, i);
    if (r.kind !== 'sql') return void sections.set(String(i), [i]);
    const login = loginOf(r);
    if (!sessions.has(login)) sessions.set(login, `sql${sessions.size}`);
    share(sessions.get(login)!, i);
  });
  return { requests, sections };
}

/** Every name the members of a shared section ask for, each once, in first-asked order. */
export function sharedNames(requests: readonly FactRequest[]): string[] {
  const names = new Set<string>();
  for (const r of requests)
    if (r.kind === 'packages' || r.kind === 'units') for (const n of r.names) names.add(n);
  return [...names];
}

/** The paths of a shared files section's members. */
export function sharedPaths(requests: readonly FactRequest[]): string[] {
  return requests.flatMap((r) => (r.kind === 'file' ? [r.path] : []));
}

/** The command of a section: one fact's, or the shared one of its members. */
function sectionCommand(key: string, members: readonly FactRequest[]): string {
  if (key === PACKAGES_SECTION)
    return factCommand({ kind: 'packages', names: sharedNames(members) });
  if (key === UNITS_SECTION) return factCommand({ kind: 'units', names: sharedNames(members) });
  if (key === FILES_SECTION) return filesCommand(sharedPaths(members));
  return factCommand(members[0]!);
}

/**
 * One script that prints every requested fact, each between markers: one
 * remote command per host, whatever the number of facts. The tool's own reads
 * run at once, each into its own file of a private (0700) folder that a trap
 * removes; the playbook's `exit` checks run one after another (a check may
 * take a lock, e.g. iptables' or debconf's).
 *
 * Each file holds its section whole: the begin marker, the output, a newline
 * (so that the end marker is a line of its own whatever the output's last
 * byte) and the end marker. A section is printed only when its command ran to
 * its end (a `.done` file beside it): one killed or cut short is missing, and
 * the parser says so instead of reading an empty fact. The sections are
 * printed by one `cat`: every program started costs a host milliseconds.
 */
export function gatherScript(all: readonly FactRequest[], nonce = ''): string {
  const { requests, sections } = gatherLayout(all);
  const { begin, end } = factMarkers(nonce);
  const lines = [
    'export LC_ALL=C',
    '(',
    'fb_d=$(mktemp -d /run/foobar-gather.XXXXXX 2>/dev/null || mktemp -d) || exit 1',
    `trap 'rm -rf -- "$fb_d"' EXIT`,
    `trap 'exit 129' HUP INT TERM PIPE`,
  ];
  const run = (key: string, command: string) =>
    `{ printf '%s %s\\n' ${begin} ${key}; { ${command}; } </dev/null 2>/dev/null; printf '\\n%s\\n' ${end}; } >"$fb_d/${key}"; : >"$fb_d/${key}.done"`;
  const sequential: string[] = [];
  for (const [key, members] of sections) {
    const asked = members.map((i) => requests[i]!);
    if (asked[0]!.kind === 'sql') {
      lines.push(`( ${run(key, sessionCommand(asked as SqlRequest[], key))} ) &`);
    } else if (asked[0]!.kind === 'exit') {
      sequential.push(run(key, factCommand(asked[0]!)));
    } else {
      lines.push(`( ${run(key, sectionCommand(key, asked))} ) &`);
    }
  }
  lines.push(...sequential, 'wait', 'set --');
  for (const key of sections.keys())
    lines.push(`if [ -e "$fb_d/${key}.done" ]; then set -- "$@" "$fb_d/${key}"; fi`);
  lines.push('if [ "$#" -gt 0 ]; then cat -- "$@"; fi', ')');
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
