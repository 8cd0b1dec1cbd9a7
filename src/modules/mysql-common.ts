import {
  dialectFor,
  parseVersionOutput,
  VERSION_QUERY,
  type Dialect,
  type ServerVersion,
} from '../mysql';
import type { FactRequest, RemoteDatabase } from '../facts/types';
import type { FactView } from './fact-view';
import { PlanError } from './plan-error';

/** The server's version fact: asked of the local server, or of a remote one. */
export const versionFact = (remote?: RemoteDatabase): FactRequest => ({
  kind: 'sql',
  query: VERSION_QUERY,
  remote,
});

/**
 * The replica's own status, asked the way every flavour and release answers
 * (SHOW SLAVE STATUS before MySQL 8.0.22); read it with parseReplicaStatus.
 */
export const REPLICA_STATUS = {
  query: 'SHOW REPLICA STATUS',
  orElse: 'SHOW SLAVE STATUS',
  vertical: true,
};

/** Whether the server refuses writes now (1) or takes them (0): every flavour answers it. */
export const READ_ONLY = { query: 'SELECT @@GLOBAL.read_only' };

export type ServerState =
  { up: true; version: ServerVersion; dialect: Dialect } | { up: false; reason: string };

/**
 * Which server answers, read from the server itself (never assumed), and the
 * statements for it. Not answering is a state (e.g. in a dry run on a bare
 * host), not an error; an unsupported version is an error.
 */
export function serverState(
  facts: FactView,
  flavorExpected: unknown,
  remote?: RemoteDatabase,
): ServerState {
  const r = facts.sql({ query: VERSION_QUERY, remote });
  if (!r.ok) return { up: false, reason: r.error.split('\n')[0] || 'no answer' };
  const version = parseVersionOutput(r.output);
  if (typeof flavorExpected === 'string' && flavorExpected !== version.flavor) {
    throw new PlanError(
      `the inventory says mysql_flavor: ${flavorExpected}, but ${remote ? `${remote.host}:${remote.port}` : 'this host'} runs ${version.flavor} ${version.raw}`,
    );
  }
  return { up: true, version, dialect: dialectFor(version) };
}

/** A SQL fact that must have answered (its server did): its output, or a PlanError saying what failed. */
export function requireSql(
  facts: FactView,
  request: Omit<Extract<FactRequest, { kind: 'sql' }>, 'kind'>,
  what: string,
): string {
  const r = facts.sql(request);
  if (!r.ok) throw new PlanError(`${what}: ${r.error}`);
  return r.output;
}
