/**
 * The `haproxy_stat` fact: `show stat` of HAProxy's runtime API on a
 * localhost TCP socket (its CSV), or why nothing answered.
 */
import { splitHead, type FactKind } from './kind';

export const haproxyStatKind: FactKind<'haproxy_stat'> = {
  kind: 'haproxy_stat',
  summary: "HAProxy's runtime statistics",
  key: (request) => `haproxy_stat:${request.port}`,
  // The runtime API speaks plain lines: bash's /dev/tcp is enough (no socat).
  command: (request) =>
    `if command -v bash >/dev/null 2>&1 && fb_out=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${request.port} && printf "show stat\\n" >&3 && cat <&3' 2>&1); then echo ok; printf '%s\\n' "$fb_out"; else echo error; echo "no answer from HAProxy's runtime API on 127.0.0.1:${request.port}"; fi`,
  parse(_request, text) {
    const { head, body } = splitHead(text);
    if (head === 'ok') return { kind: 'haproxy_stat', value: { ok: true, csv: body } };
    return { kind: 'haproxy_stat', value: { ok: false, error: body.trim() || 'no answer' } };
  },
  simulate: () => ({ kind: 'haproxy_stat', value: { ok: false, error: 'not simulated' } }),
};
