/**
 * The registry of fact kinds: each kind's definition (kinds/<kind>.ts) by
 * name. Typed as a map over every FactRequest kind, so that a kind added to
 * the union without a definition here does not compile. factKey (types.ts),
 * factCommand (script.ts), parseFact (parse.ts) and the in-memory driver
 * dispatch through it.
 */
import type { MemoryHost } from '../memory-host';
import type { Fact, FactRequest } from '../model';
import { accountKind } from './account';
import { contentKind } from './content';
import { existsKind } from './exists';
import { exitKind } from './exit';
import { fileKind } from './file';
import { haproxyStatKind } from './haproxy-stat';
import { httpKind } from './http';
import { httpTextKind } from './http-text';
import type { FactKind, FactKindName } from './kind';
import { listingKind } from './listing';
import { packagesKind } from './packages';
import { releasesKind } from './releases';
import { sqlKind } from './sql';
import { sshClientKind } from './ssh-client';
import { treeKind } from './tree';
import { unitsKind } from './units';

export const FACT_KINDS: { readonly [K in FactKindName]: FactKind<K> } = {
  file: fileKind,
  tree: treeKind,
  releases: releasesKind,
  listing: listingKind,
  packages: packagesKind,
  units: unitsKind,
  exit: exitKind,
  exists: existsKind,
  content: contentKind,
  account: accountKind,
  ssh_client: sshClientKind,
  haproxy_stat: haproxyStatKind,
  http: httpKind,
  http_text: httpTextKind,
  sql: sqlKind,
};

/** A definition seen from a dispatch: it takes a request of any kind. */
interface AnyFactKind {
  key(request: FactRequest): string;
  command?(request: FactRequest): string;
  noCommand?: string;
  parse(request: FactRequest, text: string): Fact;
  simulate(request: FactRequest, host: MemoryHost): Fact;
}

/**
 * The definition of a request's kind. The registry gives each kind its own
 * definition, so the one picked by `request.kind` takes that very request:
 * widened here once (method parameters compare bivariantly) instead of at
 * every call.
 */
export function factKind(request: FactRequest): AnyFactKind {
  return FACT_KINDS[request.kind];
}
