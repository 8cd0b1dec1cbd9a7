import {
  type AccountFact,
  type SqlResult,
  type SshClientFact,
  factKey,
  type Fact,
  type FactRequest,
  type FileFact,
  type ListingFact,
  type PackageFact,
  type ReleasesFact,
  type TreeFact,
  type UnitFact,
} from '../facts/types';

/** Typed read access to gathered facts; asking for one that was not gathered is a bug. */
export class FactView {
  constructor(private readonly facts: ReadonlyMap<string, Fact>) {}

  private get(request: FactRequest): unknown {
    const fact = this.facts.get(factKey(request));
    if (!fact || fact.kind !== request.kind)
      throw new Error(`fact not gathered: ${factKey(request)}`);
    return fact.value;
  }

  file(path: string): FileFact {
    return this.get({ kind: 'file', path }) as FileFact;
  }
  tree(path: string): TreeFact {
    return this.get({ kind: 'tree', path }) as TreeFact;
  }
  releases(dir: string): ReleasesFact {
    return this.get({ kind: 'releases', dir }) as ReleasesFact;
  }
  listing(dir: string, read: string[]): ListingFact {
    return this.get({ kind: 'listing', dir, read }) as ListingFact;
  }
  packages(names: string[]): Map<string, PackageFact> {
    return this.get({ kind: 'packages', names }) as Map<string, PackageFact>;
  }
  units(names: string[]): Map<string, UnitFact> {
    return this.get({ kind: 'units', names }) as Map<string, UnitFact>;
  }
  exit(script: string): number {
    return this.get({ kind: 'exit', script }) as number;
  }
  account(name: string): AccountFact {
    return this.get({ kind: 'account', name }) as AccountFact;
  }
  content(path: string): string | undefined {
    return this.get({ kind: 'content', path }) as string | undefined;
  }
  sql(request: Omit<Extract<FactRequest, { kind: 'sql' }>, 'kind'>): SqlResult {
    return this.get({ kind: 'sql', ...request }) as SqlResult;
  }
  /** `show stat` from a localhost TCP port or a Unix socket, as it was asked. */
  haproxyStat(
    where: { port: number; socket?: undefined } | { socket: string; port?: undefined },
  ): Extract<Fact, { kind: 'haproxy_stat' }>['value'] {
    return this.get({ kind: 'haproxy_stat', ...where }) as Extract<
      Fact,
      { kind: 'haproxy_stat' }
    >['value'];
  }
  httpText(url: string): Extract<Fact, { kind: 'http_text' }>['value'] {
    return this.get({ kind: 'http_text', url }) as Extract<Fact, { kind: 'http_text' }>['value'];
  }
  http(request: Omit<Extract<FactRequest, { kind: 'http' }>, 'kind'>): {
    status: number;
    error?: string;
  } {
    return this.get({ kind: 'http', ...request }) as { status: number; error?: string };
  }
  sshClient(): SshClientFact | undefined {
    return this.get({ kind: 'ssh_client' }) as SshClientFact | undefined;
  }
  exists(path: string): boolean {
    return this.get({ kind: 'exists', path }) as boolean;
  }
}
