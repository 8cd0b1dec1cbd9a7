/**
 * Rules as steps: a rule becomes its conditions and its verdict; a rule with a
 * verdict map becomes one step per element, the element's key a condition.
 */
import type {
  NftRule,
  NftRuleItem,
  NftSelector,
  NftTable,
  NftValue,
  NftVerdict,
} from '../nft-ruleset';
import { elementsOf, evalMatch } from './matches';
import type { Packet, Tri } from './packet';

export interface Step {
  rule: NftRule;
  /** Conditions: the rule's matches and opaque items, plus a map element's key. */
  conds: Cond[];
  verdict: NftVerdict | undefined;
}

export type Cond =
  | { kind: 'item'; item: Extract<NftRuleItem, { kind: 'match' } | { kind: 'opaque' }> }
  | { kind: 'element'; selectors: NftSelector[]; key: NftValue; text: string };

type NftVmap = Extract<NftRuleItem, { kind: 'vmap' }>;

export function stepsOf(rule: NftRule, table: NftTable): Step[] {
  const conds: Cond[] = [];
  for (const item of rule.items) {
    if (item.kind === 'match' || item.kind === 'opaque') {
      conds.push({ kind: 'item', item });
    } else if (item.kind === 'verdict') {
      return [{ rule, conds, verdict: item.verdict }];
    } else if (item.kind === 'vmap') {
      return vmapSteps(rule, conds, item, table);
    }
  }
  return [{ rule, conds, verdict: undefined }];
}

/** One step per element of the map, and one whose effect is unknown if not all are known. */
function vmapSteps(rule: NftRule, conds: Cond[], item: NftVmap, table: NftTable): Step[] {
  const { items, partial } = elementsOf(item.map, table);
  const steps: Step[] = [];
  for (const element of items) {
    if (element.kind !== 'mapping' || element.value.kind !== 'atom') {
      steps.push({ rule, conds, verdict: { kind: 'other', text: item.text } });
      continue;
    }
    const key: NftValue = element.key;
    steps.push({
      rule,
      conds: [
        ...conds,
        {
          kind: 'element',
          selectors: item.selectors,
          key,
          text: `${item.selectors.map((s) => s.text).join(' . ')} ${render(key)}`,
        },
      ],
      verdict: verdictOf(element.value.text, item.text),
    });
  }
  if (partial) steps.push({ rule, conds, verdict: { kind: 'other', text: item.text } });
  return steps;
}

function verdictOf(text: string, whole: string): NftVerdict {
  const m = /^(jump|goto) (.+)$/.exec(text);
  if (m) return { kind: m[1] as 'jump' | 'goto', target: m[2] };
  if (/^(accept|drop|reject|return|continue)$/.test(text)) {
    return { kind: text as 'accept' | 'drop' | 'reject' | 'return' | 'continue' };
  }
  return { kind: 'other', text: whole };
}

function render(value: NftValue): string {
  switch (value.kind) {
    case 'atom':
      return value.quoted ? `"${value.text}"` : value.text;
    case 'range':
      return `${render(value.from)}-${render(value.to)}`;
    case 'set':
      return `{ ${value.elements.map(render).join(', ')} }`;
    case 'ref':
      return `@${value.name}`;
    case 'list':
      return value.items.map(render).join(',');
    case 'concat':
      return value.parts.map(render).join(' . ');
    case 'mapping':
      return `${render(value.key)} : ${render(value.value)}`;
    case 'expr':
      return value.text;
  }
}

export function evalCond(cond: Cond, pkt: Packet, table: NftTable): Tri {
  if (cond.kind === 'element') {
    const item = {
      kind: 'match' as const,
      selectors: cond.selectors,
      op: '==' as const,
      value: cond.key,
      masked: false,
      text: cond.text,
    };
    return evalMatch(item, pkt, table);
  }
  return cond.item.kind === 'opaque' ? 'unknown' : evalMatch(cond.item, pkt, table);
}

export function condText(cond: Cond): string {
  return cond.kind === 'element' ? cond.text : cond.item.text;
}
