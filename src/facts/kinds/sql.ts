/**
 * The `sql` fact: a query's output from the host's `mysql` client, or the
 * client's error. It has no command of its own: every SQL fact of a gather
 * goes to one client session per login (sql-batch.ts), which the gather
 * script opens and parseFacts cuts back into results. Its parser reads the
 * `ok`/`error` form of a single result.
 */
import { FactParseError, splitHead, type FactKind } from './kind';

export const sqlKind: FactKind<'sql'> = {
  kind: 'sql',
  summary: 'queries to the local database server, or to a remote one over TCP',
  key(request) {
    const r = request.remote;
    // The password is not part of the key: keys may be logged.
    const where = r ? `${r.user}@${r.host}:${r.port}` : 'local';
    return `sql:${where}:${request.vertical ? 'v' : 'b'}:${request.query}${request.orElse ? `|${request.orElse}` : ''}`;
  },
  noCommand: 'an SQL fact has no command of its own: gatherScript opens its session',
  parse(_request, text) {
    const { head, body: rest } = splitHead(text);
    const body = rest.replace(/\n$/, '');
    if (head === 'ok') return { kind: 'sql', value: { ok: true, output: body } };
    if (head === 'error') return { kind: 'sql', value: { ok: false, error: body.trim() } };
    throw new FactParseError(`sql fact: unexpected output`);
  },
  simulate: (request, host) => ({ kind: 'sql', value: host.sql(request.query, request.remote) }),
};
