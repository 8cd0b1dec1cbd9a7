/** A host's answer about one of its folders: what was read, or why it could not be. */
export type FolderAnswer<T> =
  | ({ host: string; dir: string; ok: true } & T)
  | { host: string; dir: string; ok: false; error: string };

/**
 * The listing for people of what each host said about a folder: a heading
 * line per host and folder, then its lines (or why it could not be read).
 */
export function hostBlocks<T>(
  answers: readonly FolderAnswer<T>[],
  body: (answer: { host: string; dir: string; ok: true } & T) => string[],
): string[] {
  const lines: string[] = [];
  for (const a of answers) {
    lines.push(`${a.host}  ${a.dir}`);
    if (a.ok) lines.push(...body(a));
    else lines.push(`  cannot read: ${a.error}`);
  }
  return lines;
}
