/**
 * The `http` fact: the status code of an HTTP(S) GET made from the host with
 * curl (0, with the reason, when nothing answered).
 */
import { quote } from '../../core/shell';
import type { FactKind } from './kind';

export const httpKind: FactKind<'http'> = {
  kind: 'http',
  summary: 'the status code of an HTTP request made from the host',
  key: (request) => `http:${request.insecure ? 'k:' : ''}${request.resolve ?? ''}:${request.url}`,
  command(request) {
    const resolve = request.resolve ? ` --resolve ${quote(request.resolve)}` : '';
    return `if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -m 3 -w '%{http_code}\\n'${request.insecure ? ' -k' : ''}${resolve} ${quote(request.url)}; true; else echo 'curl is not installed'; fi`;
  },
  parse(_request, text) {
    const line = text.trim();
    if (/^\d{3}$/.test(line)) return { kind: 'http', value: { status: Number(line) } };
    return { kind: 'http', value: { status: 0, error: line || 'no answer' } };
  },
  simulate: () => ({ kind: 'http', value: { status: 0, error: 'not simulated' } }),
};
