import { maskUnknownSecrets } from '../core/live-secrets';
import { factMarkers, gatherLayout } from './script';
import type { FactRequest } from './types';

/**
 * What a trace (-vvv) shows of a gather's output. A file read whole (a
 * `content` fact, such as the secret fingerprints) shows as its size only;
 * the rest with private keys and credential values masked: it is the host's
 * and may hold secrets the run does not know. Pure.
 */
export function gatherForTrace(
  requests: readonly FactRequest[],
  nonce = '',
): (stdout: Buffer) => string {
  const { begin, end } = factMarkers(nonce);
  const layout = gatherLayout(requests);
  const hidden = new Set<string>();
  for (const [key, members] of layout.sections)
    if (layout.requests[members[0]!]!.kind === 'content') hidden.add(key);
  return (stdout) => {
    const out: string[] = [];
    /** The hidden section's lines so far (its first says present or absent), or undefined. */
    let body: string[] | undefined;
    for (const line of stdout.toString('utf8').split('\n')) {
      if (body && line === end) {
        const size = Buffer.byteLength(body.slice(1).join('\n'));
        out.push(...body.slice(0, 1));
        if (body.length > 1) out.push(`(${size} bytes: the file's content, not shown)`);
        out.push(line);
        body = undefined;
      } else if (body) body.push(line);
      else {
        if (line.startsWith(`${begin} `) && hidden.has(line.slice(begin.length + 1))) body = [];
        out.push(line);
      }
    }
    // A section cut short (a dropped connection) shows nothing of its content.
    if (body) out.push(...body.slice(0, 1), "(cut short: the file's content, not shown)");
    return maskUnknownSecrets(out.join('\n'));
  };
}
