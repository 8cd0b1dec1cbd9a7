import * as fs from 'node:fs';

/**
 * The content of a local source file (copy's files/ tree), read once per
 * version: a run plans the same tree for every host, so 500 hosts would read
 * it 500 times. The key holds the file's identity, size and mtime, so a file
 * changed between two runs in one process is read again.
 */
const cache = new Map<string, { key: string; content: Buffer }>();
const LIMIT = 4096;

export function readLocalFile(file: string): Buffer {
  const st = fs.statSync(file);
  const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const hit = cache.get(file);
  if (hit && hit.key === key) return hit.content;
  const content = fs.readFileSync(file);
  if (cache.size >= LIMIT) cache.clear();
  cache.set(file, { key, content });
  return content;
}
