/** The `account` fact: a local user account, from `getent passwd` and `id -Gn`. */
import { quote } from '../../core/shell';
import type { AccountFact } from '../model';
import { FactParseError, type FactKind } from './kind';

export const accountKind: FactKind<'account'> = {
  kind: 'account',
  summary: 'a local account (getent passwd, id)',
  key: (request) => `account:${request.name}`,
  command: (request) =>
    `if fb_pw=$(getent passwd -- ${quote(request.name)}); then printf '%s\\n' "$fb_pw"; id -Gn -- ${quote(request.name)}; else echo absent; fi`,
  parse: (request, text) => ({ kind: 'account', value: parseAccount(request.name, text) }),
  simulate(request, host) {
    const a = host.accounts.get(request.name);
    return {
      kind: 'account',
      value: a ? { name: request.name, exists: true, ...a } : { name: request.name, exists: false },
    };
  },
};

/** `getent passwd NAME` then `id -Gn NAME`, or `absent`. */
export function parseAccount(name: string, text: string): AccountFact {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] === 'absent' || lines.length === 0) return { name, exists: false };
  const f = lines[0]!.split(':');
  if (f.length < 7 || f[0] !== name)
    throw new FactParseError(`account ${name}: unexpected passwd line`);
  return {
    name,
    exists: true,
    uid: Number(f[2]),
    gid: Number(f[3]),
    home: f[5],
    shell: f[6],
    groups: (lines[1] ?? '').split(' ').filter(Boolean),
  };
}
