/** The Release file of the lab's flat apt repository. Pure. */
import { createHash } from 'node:crypto';

export function renderRelease(packagesIndex: string | Buffer, label: string, date: Date): string {
  const bytes = Buffer.isBuffer(packagesIndex) ? packagesIndex : Buffer.from(packagesIndex);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return [
    'Origin: foobar-infra lab',
    `Label: ${label}`,
    'Suite: ./',
    `Date: ${date.toUTCString().replace('GMT', 'UTC')}`,
    'SHA256:',
    ` ${sha256} ${bytes.length} Packages`,
    '',
  ].join('\n');
}

/** Package names in a Packages index, for reporting. */
export function packageNames(packagesIndex: string): string[] {
  return [...packagesIndex.matchAll(/^Package:\s*(\S+)/gm)].map((m) => m[1]);
}
