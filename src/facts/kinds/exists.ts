/** The `exists` fact: whether anything is at a path, a dangling link included. */
import { quote } from '../../core/shell';
import type { FactKind } from './kind';

export const existsKind: FactKind<'exists'> = {
  kind: 'exists',
  summary: 'whether a path exists',
  key: (request) => `exists:${request.path}`,
  command: (request) =>
    `if [ -e ${quote(request.path)} ] || [ -L ${quote(request.path)} ]; then echo yes; else echo no; fi`,
  parse: (_request, text) => ({ kind: 'exists', value: text.trim() === 'yes' }),
  simulate: (request, host) => ({ kind: 'exists', value: host.exists(request.path) }),
};
