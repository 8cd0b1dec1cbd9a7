/**
 * The `tree` fact: every file, folder and link below a folder, with its mode,
 * owner, group and a file's SHA-256, from one walk (`find`, which hands the
 * files to `sha256sum` in batches). Not a folder (or a link to one): absent.
 */
import { quote } from '../../core/shell';
import type { TreeEntry, TreeFact } from '../model';
import { FactParseError, octal, type FactKind } from './kind';

export const treeKind: FactKind<'tree'> = {
  kind: 'tree',
  summary: 'every file and folder under a path, with modes, owners and SHA-256',
  key: (request) => `tree:${request.path}`,
  command(request) {
    const p = quote(request.path);
    return [
      `if [ -d ${p} ] && [ ! -L ${p} ]; then cd ${p} &&`,
      // The folder itself first (its own attributes), then one walk below it:
      // each file listed, then handed to sha256sum (in batches).
      `find . -maxdepth 0 -printf 'r\\t%m\\t%u\\t%g\\n' &&`,
      `find . -mindepth 1 \\( -type f -printf 'f\\t%m\\t%u\\t%g\\t%P\\n' -exec sha256sum -- {} + \\) -o \\( -type d -printf 'd\\t%m\\t%u\\t%g\\t%P\\n' \\) -o \\( -type l -printf 'l\\t%m\\t%u\\t%g\\t%P\\n' \\); cd /;`,
      `else echo absent; fi`,
    ].join(' ');
  },
  parse: (request, text) => ({ kind: 'tree', value: parseTree(request.path, text) }),
  simulate(request, host) {
    const entries = new Map<string, TreeEntry>();
    const prefix = `${request.path}/`;
    for (const p of host.files.keys()) {
      const f = host.fileFact(p);
      if (p.startsWith(prefix) && f.exists)
        entries.set(p.slice(prefix.length), {
          type: 'file',
          mode: f.mode!,
          owner: f.owner!,
          group: f.group!,
          sha256: f.sha256!,
        });
    }
    for (const [p, d] of host.dirs)
      if (p.startsWith(prefix)) entries.set(p.slice(prefix.length), { type: 'directory', ...d });
    for (const p of host.links.keys())
      if (p.startsWith(prefix))
        entries.set(p.slice(prefix.length), {
          type: 'link',
          mode: '0777',
          owner: 'root',
          group: 'root',
        });
    const root = host.dirs.get(request.path);
    return {
      kind: 'tree',
      value: {
        path: request.path,
        isDirectory: root !== undefined,
        entries,
        ...(root ? { root: { ...root } } : {}),
      },
    };
  },
};

export function parseTree(path: string, text: string): TreeFact {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] === 'absent') return { path, isDirectory: false, entries: new Map() };
  const entries = new Map<string, TreeEntry>();
  let root: TreeFact['root'];
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
    if (t === 'r' && mode && owner && group && rest.length === 0) {
      root = { mode: octal(mode), owner, group };
      continue;
    }
    const rel = rest.join('\t');
    const type = t === 'f' ? 'file' : t === 'd' ? 'directory' : t === 'l' ? 'link' : undefined;
    if (!type || !mode || !owner || !group || rel === '') {
      throw new FactParseError(`tree ${path}: unexpected line ${JSON.stringify(line)}`);
    }
    entries.set(rel, { type, mode: octal(mode), owner, group });
  }
  for (const [rel, sha256] of hashes) {
    const entry = entries.get(rel);
    if (entry?.type !== 'file')
      throw new FactParseError(
        `tree ${path}: a hash of ${JSON.stringify(rel)}, which find did not list as a file`,
      );
    entry.sha256 = sha256;
  }
  return { path, isDirectory: true, entries, ...(root ? { root } : {}) };
}
