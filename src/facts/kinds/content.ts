/**
 * The `content` fact: a regular file's text, read whole, or undefined when
 * there is none. A trace shows only its size (trace.ts): it may be secret.
 */
import { quote } from '../../core/shell';
import { FactParseError, splitHead, type FactKind } from './kind';

export const contentKind: FactKind<'content'> = {
  kind: 'content',
  summary: "a small file's content",
  key: (request) => `content:${request.path}`,
  command: (request) =>
    `if [ -f ${quote(request.path)} ]; then echo present; cat -- ${quote(request.path)}; else echo absent; fi`,
  parse(request, text) {
    const { head, body } = splitHead(text);
    if (head === 'absent') return { kind: 'content', value: undefined };
    if (head !== 'present')
      throw new FactParseError(`content of ${request.path}: unexpected output`);
    return { kind: 'content', value: body };
  },
  simulate: (request, host) => ({
    kind: 'content',
    value: host.files.get(request.path)?.content.toString('utf8'),
  }),
};
