/**
 * Every `file` fact of a host in one shared section: one `stat` for all the
 * paths and one `sha256sum` for the regular files among them, instead of two
 * programs started per file (each start costs a host tens of milliseconds of
 * CPU, and a web host asks for about fifteen files).
 *
 * The section prints, in three parts:
 * - `L<TAB>path<TAB>target` for each symbolic link (readlink, links only);
 * - after `@@S`, `stat`'s line per path that exists (`lstat`: a link is
 *   described, not followed), ending with the name as given;
 * - after `@@H`, `sha256sum`'s line per regular file.
 *
 * {@link splitFiles} turns that back into each path's text in the format of
 * a file fact of its own (parse.ts `parseFile`), so both read the same way.
 * A path holding a tab, a newline or a backslash (which `stat` or `sha256sum`
 * would print ambiguously) keeps a section of its own.
 */
import { quoteArgv } from '../core/shell';

const STAT_MARK = '@@S';
const HASH_MARK = '@@H';

/** Whether a path can share the section: its name reads back unambiguously. */
export function sharesFilesSection(path: string): boolean {
  return !/[\t\n\\]/.test(path) && path !== '';
}

/** The section's shell command for `paths` (each shares it). */
export function filesCommand(paths: readonly string[]): string {
  return [
    `set -- ${quoteArgv(paths)};`,
    `for fb_x do if [ -L "$fb_x" ]; then printf 'L\\t%s\\t' "$fb_x"; readlink -- "$fb_x"; fi; done;`,
    `printf '%s\\n' ${STAT_MARK};`,
    `stat --printf '%F\\t%a\\t%U\\t%G\\t%s\\t%n\\n' -- "$@" 2>/dev/null;`,
    `printf '%s\\n' ${HASH_MARK};`,
    // The loop's list is read once: shifting the originals off leaves the regular files.
    `for fb_x do shift; if [ -f "$fb_x" ] && [ ! -L "$fb_x" ]; then set -- "$@" "$fb_x"; fi; done;`,
    `if [ "$#" -gt 0 ]; then sha256sum -- "$@" 2>/dev/null; fi; true`,
  ].join(' ');
}

/** Each path's text, as its own `file` section would have printed it. */
export function splitFiles(paths: readonly string[], text: string): Map<string, string> {
  const links = new Map<string, string>();
  const stats = new Map<string, string>();
  const hashes = new Map<string, string>();
  let part: 'links' | 'stat' | 'hash' = 'links';
  for (const line of text.split('\n')) {
    if (line === STAT_MARK) part = 'stat';
    else if (line === HASH_MARK) part = 'hash';
    else if (part === 'links' && line.startsWith('L\t')) {
      const rest = line.slice(2);
      const tab = rest.indexOf('\t');
      if (tab > 0) links.set(rest.slice(0, tab), rest.slice(tab + 1));
    } else if (part === 'stat') {
      const fields = line.split('\t');
      if (fields.length === 6) stats.set(fields[5]!, fields.slice(0, 5).join('\t'));
    } else if (part === 'hash') {
      const m = /^([0-9a-f]{64}) [ *](.*)$/.exec(line);
      if (m) hashes.set(m[2]!, m[0]);
    }
  }
  const out = new Map<string, string>();
  for (const path of paths) {
    const stat = stats.get(path);
    const target = links.get(path);
    if (stat === undefined) out.set(path, 'absent');
    else if (target !== undefined)
      out.set(path, `link\t${target}\n${stat.split('\t').slice(1).join('\t')}`);
    else out.set(path, hashes.has(path) ? `${stat}\n${hashes.get(path)!}` : stat);
  }
  return out;
}
