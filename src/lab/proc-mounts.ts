/** Parsing /proc/mounts. Pure. */

export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
  options: string;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

export function parseProcMounts(content: string): MountEntry[] {
  return content
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [source, target, fstype, options] = line.split(' ');
      return {
        source: unescapeMountField(source ?? ''),
        target: unescapeMountField(target ?? ''),
        fstype: fstype ?? '',
        options: options ?? '',
      };
    });
}

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export function mountsAtOrBelow(mounts: readonly MountEntry[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const targets = mounts.map((m) => m.target).filter((t) => t === dir || t.startsWith(prefix));
  return [...new Set(targets)].sort((a, b) => b.length - a.length);
}
