/**
 * The `haproxy_stat` fact: `show stat` of HAProxy's runtime API (its CSV), on
 * a localhost TCP socket or a Unix socket, or why nothing answered.
 */
import { quote } from '../../core/shell';
import type { FactRequest } from '../model';
import { splitHead, type FactKind } from './kind';

type StatRequest = Extract<FactRequest, { kind: 'haproxy_stat' }>;

/**
 * The shell that sets `fb_out` to the answer to `show stat`, or prints why
 * not. The runtime API speaks plain lines: bash's /dev/tcp is enough for TCP;
 * a Unix socket needs socat.
 */
function ask(request: StatRequest): string {
  const fail = (why: string) => `echo error; echo ${quote(why)}`;
  if (request.socket !== undefined) {
    const where = `HAProxy's runtime API on ${request.socket}`;
    return `if ! command -v socat >/dev/null 2>&1; then ${fail(`socat is not installed: it is needed to reach ${where}`)}; elif fb_out=$(printf 'show stat\\n' | timeout 5 socat -t 5 stdio ${quote(`unix-connect:${request.socket}`)} 2>&1); then echo ok; printf '%s\\n' "$fb_out"; else ${fail(`no answer from ${where}`)}; printf '%s\\n' "$fb_out"; fi`;
  }
  return `if command -v bash >/dev/null 2>&1 && fb_out=$(timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/${request.port} && printf "show stat\\n" >&3 && cat <&3' 2>&1); then echo ok; printf '%s\\n' "$fb_out"; else ${fail(`no answer from HAProxy's runtime API on 127.0.0.1:${request.port}`)}; fi`;
}

export const haproxyStatKind: FactKind<'haproxy_stat'> = {
  kind: 'haproxy_stat',
  summary: "HAProxy's runtime statistics",
  key: (request) => `haproxy_stat:${request.socket ?? request.port}`,
  command: ask,
  parse(_request, text) {
    const { head, body } = splitHead(text);
    if (head === 'ok') return { kind: 'haproxy_stat', value: { ok: true, csv: body } };
    return { kind: 'haproxy_stat', value: { ok: false, error: body.trim() || 'no answer' } };
  },
  simulate: () => ({ kind: 'haproxy_stat', value: { ok: false, error: 'not simulated' } }),
};
