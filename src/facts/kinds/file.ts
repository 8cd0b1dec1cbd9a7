/**
 * The `file` fact: what is at a path (a link is described, not followed),
 * its mode, owner, group and size, a link's target and a regular file's
 * SHA-256. Most file facts share one section instead (files-batch.ts), which
 * hands each path its text in this command's format: one parser reads both.
 */
import { quote } from '../../core/shell';
import type { FileFact, FileType } from '../model';
import { FactParseError, octal, type FactKind } from './kind';

export const fileKind: FactKind<'file'> = {
  kind: 'file',
  summary: "a path's type, mode, owner, group and SHA-256",
  key: (request) => `file:${request.path}`,
  command(request) {
    const p = quote(request.path);
    return [
      `if [ -L ${p} ]; then printf 'link\\t%s\\n' "$(readlink -- ${p})"; stat --printf '%a\\t%U\\t%G\\t%s\\n' -- ${p};`,
      `elif [ -e ${p} ]; then stat --printf '%F\\t%a\\t%U\\t%G\\t%s\\n' -- ${p}; if [ -f ${p} ]; then sha256sum -- ${p}; fi;`,
      `else echo absent; fi`,
    ].join(' ');
  },
  parse: (request, text) => ({ kind: 'file', value: parseFile(request.path, text) }),
  simulate: (request, host) => ({ kind: 'file', value: host.fileFact(request.path) }),
};

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
