import { FoobarError } from '../core/errors';
import { splitFiles } from './files-batch';
import {
  factMarkers,
  FILES_SECTION,
  gatherLayout,
  sharedNames,
  sharedPaths,
  UNITS_SECTION,
} from './script';
import { parseSession, type SqlRequest } from './sql-batch';
import {
  type AccountFact,
  factKey,
  unitName,
  type Fact,
  type FactRequest,
  type FileFact,
  type FileType,
  type PackageFact,
  type SshClientFact,
  type TreeEntry,
  type TreeFact,
  type UnitFact,
} from './types';

/** A host's answer to the gather script that cannot be read: never guessed at. */
export class FactParseError extends FoobarError {
  readonly kind = 'facts';
}

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

export function parseFact(request: FactRequest, text: string): Fact {
  switch (request.kind) {
    case 'file':
      return { kind: 'file', value: parseFile(request.path, text) };
    case 'tree':
      return { kind: 'tree', value: parseTree(request.path, text) };
    case 'packages':
      return { kind: 'packages', value: parsePackages(request.names, text) };
    case 'units':
      return { kind: 'units', value: parseUnits(request.names, text) };
    case 'exit': {
      const code = Number(text.trim());
      if (!Number.isInteger(code))
        throw new FactParseError(`exit status: unexpected output ${JSON.stringify(text)}`);
      return { kind: 'exit', value: code };
    }
    case 'exists':
      return { kind: 'exists', value: text.trim() === 'yes' };
    case 'account':
      return { kind: 'account', value: parseAccount(request.name, text) };
    case 'ssh_client':
      return { kind: 'ssh_client', value: parseSshConnection(text) };
    case 'haproxy_stat': {
      const nl = text.indexOf('\n');
      const head = nl < 0 ? text : text.slice(0, nl);
      const body = nl < 0 ? '' : text.slice(nl + 1);
      if (head === 'ok') return { kind: 'haproxy_stat', value: { ok: true, csv: body } };
      return { kind: 'haproxy_stat', value: { ok: false, error: body.trim() || 'no answer' } };
    }
    case 'http': {
      const line = text.trim();
      if (/^\d{3}$/.test(line)) return { kind: 'http', value: { status: Number(line) } };
      return { kind: 'http', value: { status: 0, error: line || 'no answer' } };
    }
    case 'content': {
      const nl = text.indexOf('\n');
      const head = nl < 0 ? text : text.slice(0, nl);
      if (head === 'absent') return { kind: 'content', value: undefined };
      if (head !== 'present')
        throw new FactParseError(`content of ${request.path}: unexpected output`);
      return { kind: 'content', value: nl < 0 ? '' : text.slice(nl + 1) };
    }
    case 'sql': {
      const nl = text.indexOf('\n');
      const head = nl < 0 ? text : text.slice(0, nl);
      const body = (nl < 0 ? '' : text.slice(nl + 1)).replace(/\n$/, '');
      if (head === 'ok') return { kind: 'sql', value: { ok: true, output: body } };
      if (head === 'error') return { kind: 'sql', value: { ok: false, error: body.trim() } };
      throw new FactParseError(`sql fact: unexpected output`);
    }
  }
}

const octal = (mode: string) => mode.padStart(4, '0');

function fileType(statType: string): FileType {
  if (statType === 'regular file' || statType === 'regular empty file') return 'file';
  if (statType === 'directory') return 'directory';
  return 'other';
}

export function parseFile(path: string, text: string): FileFact {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] === 'absent' || lines.length === 0) return { path, exists: false };
  if (lines[0]!.startsWith('link\t')) {
    const [mode, owner, group, size] = (lines[1] ?? '').split('\t');
    return {
      path,
      exists: true,
      type: 'link',
      linkTarget: lines[0]!.slice('link\t'.length),
      mode: mode ? octal(mode) : undefined,
      owner,
      group,
      size: size ? Number(size) : undefined,
    };
  }
  const [statType, mode, owner, group, size] = lines[0]!.split('\t');
  if (!statType || !mode || !owner || !group || size === undefined) {
    throw new FactParseError(`file ${path}: unexpected stat output ${JSON.stringify(lines[0])}`);
  }
  const fact: FileFact = {
    path,
    exists: true,
    type: fileType(statType),
    mode: octal(mode),
    owner,
    group,
    size: Number(size),
  };
  if (fact.type === 'file') {
    // sha256sum starts the line with a backslash when it escaped the name (\\ or \n in it).
    const sha = /^\\?([0-9a-f]{64}) /.exec(lines[1] ?? '');
    if (!sha)
      throw new FactParseError(`file ${path}: no sha256 in ${JSON.stringify(lines[1] ?? '')}`);
    fact.sha256 = sha[1];
  }
  return fact;
}

export function parseTree(path: string, text: string): TreeFact {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] === 'absent') return { path, isDirectory: false, entries: new Map() };
  const entries = new Map<string, TreeEntry>();
  // One find prints the entries and hands the files to sha256sum in batches:
  // a hash can come before or after its entry.
  const hashes = new Map<string, string>();
  for (const line of lines) {
    const sha = /^([0-9a-f]{64}) [ *]\.\/(.*)$/.exec(line);
    if (sha) {
      hashes.set(sha[2]!, sha[1]!);
      continue;
    }
    const [t, mode, owner, group, ...rest] = line.split('\t');
    const rel = rest.join('\t');
    if ((t !== 'f' && t !== 'd') || !mode || !owner || !group || rel === '') {
      throw new FactParseError(`tree ${path}: unexpected line ${JSON.stringify(line)}`);
    }
    entries.set(rel, { type: t === 'f' ? 'file' : 'directory', mode: octal(mode), owner, group });
  }
  for (const [rel, sha256] of hashes) {
    const entry = entries.get(rel);
    if (entry?.type !== 'file')
      throw new FactParseError(
        `tree ${path}: a hash of ${JSON.stringify(rel)}, which find did not list as a file`,
      );
    entry.sha256 = sha256;
  }
  return { path, isDirectory: true, entries };
}

export function parsePackages(names: readonly string[], text: string): Map<string, PackageFact> {
  const out = new Map<string, PackageFact>(names.map((n) => [n, { name: n, installed: false }]));
  for (const line of text.split('\n')) {
    const [name, status, version] = line.split('\t');
    if (!name || !out.has(name) || status === undefined) continue;
    // db:Status-Abbrev: "ii " is installed; "rc " removed with config left, "un " unknown.
    const installed = status.startsWith('ii') || status.startsWith('hi');
    out.set(name, { name, installed, version: installed ? version : undefined });
  }
  return out;
}

/** `systemctl show` prints one block per unit, in the order asked (aliases show their real Id). */
export function parseUnits(names: readonly string[], text: string): Map<string, UnitFact> {
  const out = new Map<string, UnitFact>();
  const blocks = text
    .split(/\n\s*\n/)
    .map((block) => {
      const props: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) props[line.slice(0, eq)] = line.slice(eq + 1);
      }
      return props;
    })
    .filter((props) => props.Id !== undefined);
  names.forEach((name, i) => {
    const props =
      blocks.length === names.length ? blocks[i] : blocks.find((b) => b.Id === unitName(name));
    out.set(name, {
      name,
      loadState: props?.LoadState ?? 'not-found',
      activeState: props?.ActiveState ?? 'inactive',
      subState: props?.SubState ?? 'dead',
      unitFileState: props?.UnitFileState ?? '',
      needDaemonReload: props?.NeedDaemonReload === 'yes',
    });
  });
  return out;
}

/** `getent passwd NAME` then `id -Gn NAME`, or `absent`. */
export function parseAccount(name: string, text: string): AccountFact {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] === 'absent' || lines.length === 0) return { name, exists: false };
  const f = lines[0]!.split(':');
  if (f.length < 7 || f[0] !== name)
    throw new FactParseError(`account ${name}: unexpected passwd line`);
  return {
    name,
    exists: true,
    uid: Number(f[2]),
    gid: Number(f[3]),
    home: f[5],
    shell: f[6],
    groups: (lines[1] ?? '').split(' ').filter(Boolean),
  };
}

/** `SSH_CONNECTION`: "client-address client-port server-address server-port"; empty when unknown. */
export function parseSshConnection(text: string): SshClientFact | undefined {
  const line = text.trim();
  if (line === '') return undefined;
  const parts = line.split(/\s+/);
  const [address, port, serverAddress, serverPort] = parts;
  if (parts.length !== 4 || !/^\d+$/.test(port!) || !/^\d+$/.test(serverPort!))
    throw new FactParseError(`SSH_CONNECTION: unexpected value ${JSON.stringify(line)}`);
  // An IPv4 client of a dual-stack sshd shows as ::ffff:a.b.c.d.
  const v4 = (a: string) => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  return {
    address: v4(address!),
    port: Number(port),
    serverAddress: v4(serverAddress!),
    serverPort: Number(serverPort),
  };
}
