/**
 * The `listing` fact: the regular files of one folder (not below it), each
 * with its size and modification time, and the text of those whose name ends
 * in one of `read` (small records, such as a backup's metadata). Names with
 * characters outside [A-Za-z0-9._@+-] are left out: the tools whose folders
 * this lists never write them. Not a folder (or a link to one): absent.
 */
import { quote } from '../../core/shell';
import type { ListingFact } from '../model';
import { FactParseError, type FactKind } from './kind';

/** A record read whole is at most this long: a larger one is a wrong file, cut off. */
const READ_LIMIT = 262_144;

export const listingKind: FactKind<'listing'> = {
  kind: 'listing',
  summary: "a folder's files, with sizes, and the text of its small records",
  key: (request) => `listing:${request.dir}:${request.read.join(',')}`,
  command(request) {
    const dir = quote(request.dir);
    const read = request.read.map((s) => `*${quote(s)}`).join('|');
    return [
      `if [ -d ${dir} ] && [ ! -L ${dir} ]; then echo present;`,
      `for fb_f in ${dir}/* ${dir}/.[!.]*; do [ -f "$fb_f" ] && [ ! -L "$fb_f" ] || continue;`,
      `fb_n=\${fb_f##*/}; case $fb_n in *[!A-Za-z0-9._@+-]*) continue;; esac;`,
      // A file renamed or removed meanwhile (a job at work) is left out.
      `fb_s=$(stat -c '%s %Y' -- "$fb_f" 2>/dev/null) || continue;`,
      `printf 'file\\t%s\\t%s\\n' "$fb_s" "$fb_n";`,
      read === ''
        ? ''
        : `case $fb_n in ${read}) printf 'text\\t%s\\n' "$(head -c ${READ_LIMIT} -- "$fb_f" | base64 -w0)";; esac;`,
      `done; else echo absent; fi`,
    ].join(' ');
  },
  parse: (request, text) => ({ kind: 'listing', value: parseListing(request.dir, text) }),
  simulate(request, host) {
    if (!host.dirs.has(request.dir))
      return { kind: 'listing', value: { present: false, files: [] } };
    const files = [...host.files.entries()]
      .filter(
        ([p]) => p.startsWith(`${request.dir}/`) && !p.slice(request.dir.length + 1).includes('/'),
      )
      .map(([p, f]) => {
        const name = p.slice(request.dir.length + 1);
        const read = request.read.some((s) => name.endsWith(s));
        return {
          name,
          size: f.content.length,
          mtime: 0,
          ...(read ? { text: f.content.toString('utf8') } : {}),
        };
      })
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return { kind: 'listing', value: { present: true, files } };
  },
};

export function parseListing(dir: string, text: string): ListingFact {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] === 'absent' && lines.length === 1) return { present: false, files: [] };
  if (lines[0] !== 'present') throw new FactParseError(`listing ${dir}: unexpected output`);
  const files: ListingFact['files'] = [];
  for (const line of lines.slice(1)) {
    const [head, a, b] = line.split('\t');
    const last = files[files.length - 1];
    if (head === 'file' && a !== undefined && b) {
      const m = /^(\d+) (\d+)$/.exec(a);
      if (!m) throw new FactParseError(`listing ${dir}: unexpected line ${JSON.stringify(line)}`);
      files.push({ name: b, size: Number(m[1]), mtime: Number(m[2]) });
    } else if (head === 'text' && a !== undefined && b === undefined && last) {
      last.text = Buffer.from(a, 'base64').toString('utf8');
    } else throw new FactParseError(`listing ${dir}: unexpected line ${JSON.stringify(line)}`);
  }
  return { present: true, files: files.sort((x, y) => (x.name < y.name ? -1 : 1)) };
}
