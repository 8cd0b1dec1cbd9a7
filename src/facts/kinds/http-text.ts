/**
 * The `http_text` fact: the status and body of an HTTP GET made from the
 * host with curl (e.g. an API on its localhost), the body at most 256 KiB.
 * Nothing answering, or an answer cut off, is an error with its reason.
 */
import { quote } from '../../core/shell';
import type { Fact } from '../model';
import type { FactKind } from './kind';

/** A longer answer is not the API asked for: it is cut off, and refused. */
const BODY_LIMIT = 262_144;

type Value = Extract<Fact, { kind: 'http_text' }>['value'];

export const httpTextKind: FactKind<'http_text'> = {
  kind: 'http_text',
  summary: 'the status and body of an HTTP request made from the host',
  key: (request) => `http_text:${request.url}`,
  command(request) {
    // The body and, on a last line, the status; base64, so that no byte of
    // the answer can pass for the gather's own markers.
    return `if command -v curl >/dev/null 2>&1; then curl -s -m 3 -w '\\n%{http_code}' ${quote(request.url)} | head -c ${BODY_LIMIT + 8} | base64 -w0; echo; else echo 'curl is not installed'; fi`;
  },
  parse: (_request, text) => ({ kind: 'http_text', value: parseHttpText(text.trim()) }),
  simulate: () => ({ kind: 'http_text', value: { ok: false, error: 'not simulated' } }),
};

export function parseHttpText(line: string): Value {
  if (line === 'curl is not installed') return { ok: false, error: line };
  const answer = Buffer.from(line, 'base64').toString('utf8');
  const at = answer.lastIndexOf('\n');
  const status = Number(answer.slice(at + 1));
  if (at < 0 || !/^\d{3}$/.test(answer.slice(at + 1)))
    return {
      ok: false,
      error: answer.length > BODY_LIMIT ? 'the answer is too long' : 'no answer',
    };
  if (status === 0) return { ok: false, error: 'no answer' };
  return { ok: true, status, body: answer.slice(0, at) };
}
