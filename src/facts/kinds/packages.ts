/**
 * The `packages` fact: whether each named Debian package is installed, and
 * its version, from `dpkg-query`. Every package fact of a gather shares one
 * section, asking for all their names at once (script.ts gatherLayout).
 */
import { quoteArgv } from '../../core/shell';
import type { PackageFact } from '../model';
import type { FactKind } from './kind';

export const packagesKind: FactKind<'packages'> = {
  kind: 'packages',
  summary: "the packages' install state (dpkg)",
  key: (request) => `packages:${[...request.names].sort().join(',')}`,
  command: (request) =>
    `dpkg-query -W -f='\${Package}\\t\${db:Status-Abbrev}\\t\${Version}\\n' -- ${quoteArgv(request.names)} 2>/dev/null; true`,
  parse: (request, text) => ({ kind: 'packages', value: parsePackages(request.names, text) }),
  simulate: (request, host) => ({
    kind: 'packages',
    value: new Map(
      request.names.map((name) => {
        const installed = host.packages.has(name);
        return [name, { name, installed, version: installed ? '1.0' : undefined }];
      }),
    ),
  }),
};

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
