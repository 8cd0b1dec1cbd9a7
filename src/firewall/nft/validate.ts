/**
 * The checks nft itself makes once a table is read: jump and goto targets
 * exist and are not base chains, and every `@set` a rule names or adds to
 * exists (a set a rule adds to is marked dynamic).
 */

import { NftParseError, type NftTable, type NftValue } from './types';

/** Jump targets and named sets must exist, as nft itself requires. */
export function validateTable(table: NftTable): void {
  const checkRef = (value: NftValue, line: number): void => {
    switch (value.kind) {
      case 'ref':
        if (!table.sets.has(value.name)) {
          throw new NftParseError(
            line,
            `table ${table.family} ${table.name} has no set "@${value.name}"`,
          );
        }
        return;
      case 'set':
        return value.elements.forEach((e) => checkRef(e, line));
      case 'list':
        return value.items.forEach((e) => checkRef(e, line));
      case 'concat':
        return value.parts.forEach((e) => checkRef(e, line));
      case 'range':
        checkRef(value.from, line);
        return checkRef(value.to, line);
      case 'mapping':
        checkRef(value.key, line);
        if (value.value.kind === 'atom') {
          const m = /^(?:jump|goto) (.+)$/.exec(value.value.text);
          if (m) checkChain(m[1], line);
        }
        return;
      default:
        return;
    }
  };
  const checkChain = (name: string, line: number): void => {
    const target = table.chains.get(name);
    if (!target)
      throw new NftParseError(line, `table ${table.family} ${table.name} has no chain "${name}"`);
    if (target.base)
      throw new NftParseError(line, `"${name}" is a base chain: it cannot be a jump target`);
  };
  for (const chain of table.chains.values()) {
    for (const rule of chain.rules) {
      for (const item of rule.items) {
        if (item.kind === 'match') checkRef(item.value, rule.line);
        if (item.kind === 'vmap') checkRef(item.map, rule.line);
        if (
          item.kind === 'verdict' &&
          (item.verdict.kind === 'jump' || item.verdict.kind === 'goto')
        ) {
          checkChain(item.verdict.target, rule.line);
        }
        if (item.kind === 'statement' && item.updates !== undefined) {
          const set = table.sets.get(item.updates);
          if (!set)
            throw new NftParseError(
              rule.line,
              `table ${table.family} ${table.name} has no set "@${item.updates}"`,
            );
          set.dynamic = true;
        }
      }
    }
  }
  for (const set of table.sets.values()) {
    for (const e of set.elements) checkRef(e, set.line);
  }
}
