import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../core/errors';
import { fieldName, parseYaml, type PathSegment, type YamlSource } from '../core/yaml-source';
import { disagreementMessage, readPlainScalar } from './yaml11';

/** Past this many alias expansions a file is refused (a "billion laughs" file). */
const MAX_ALIASES = 1000;

/**
 * Parses an inventory or variables file as Ansible reads it: JSON when the
 * text is JSON, else YAML 1.1 (yes/no/on/off are booleans, `<<:` merge keys).
 * A plain scalar that YAML 1.1 and 1.2 read differently is an error saying how
 * to quote it, never a silent choice.
 */
export function readAnsibleYaml(
  file: string,
  text: string,
): { source?: YamlSource; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(file, text);
  if (!parsed.source || isJson(text)) return parsed;
  const reader = new Yaml11Reader(parsed.source);
  const data = reader.value(parsed.source.doc.contents as Node | null, []);
  if (reader.diagnostics.length > 0) return { diagnostics: reader.diagnostics };
  return { source: { ...parsed.source, data }, diagnostics: [] };
}

function tagMessage(tag: string): string {
  return tag === '!vault'
    ? 'Ansible Vault values (!vault) are not read: keep the secret in a foobar-infra vault and write a reference, { vault: NAME }'
    : `the YAML tag ${tag} is not read (only !unsafe, as in Ansible, and YAML's own tags)`;
}

/** An Ansible Vault file, encrypted as a whole. */
export function isAnsibleVault(text: string): boolean {
  return text.startsWith('$ANSIBLE_VAULT;');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

class Yaml11Reader {
  readonly diagnostics: Diagnostic[] = [];
  private aliases = 0;
  private readonly doc: Document.Parsed;

  constructor(private readonly source: YamlSource) {
    this.doc = source.doc;
  }

  value(node: Node | null | undefined, path: PathSegment[]): unknown {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      if (++this.aliases > MAX_ALIASES) {
        if (this.aliases === MAX_ALIASES + 1)
          this.error(node, path, `more than ${MAX_ALIASES} aliases`);
        return null;
      }
      return this.value(node.resolve(this.doc) as Node | undefined, path);
    }
    if (isScalar(node)) return this.scalar(node, path);
    if (isSeq(node)) return node.items.map((item, i) => this.value(item as Node, [...path, i]));
    if (isMap(node)) return this.mapping(node.items, path);
    return null;
  }

  private scalar(
    node: Node & { type?: string; tag?: string; source?: string; value: unknown },
    path: PathSegment[],
  ): unknown {
    if (node.tag !== undefined && !node.tag.startsWith('tag:yaml.org,2002:')) {
      if (node.tag !== '!unsafe') this.error(node, path, tagMessage(node.tag));
      return node.value;
    }
    if (node.type !== 'PLAIN' || node.tag !== undefined || typeof node.source !== 'string')
      return node.value;
    const reading = readPlainScalar(node.source, node.value);
    if (reading.agree) return reading.value;
    this.error(node, path, disagreementMessage(node.source, reading.yaml11, reading.yaml12));
    return node.value;
  }

  private mapping(items: unknown[], path: PathSegment[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const own: [string, unknown][] = [];
    for (const pair of items) {
      if (!isPair(pair)) continue;
      const key = pair.key as Node | null;
      const name = isScalar(key) ? String(key.value) : String(key);
      if (isScalar(key) && key.type === 'PLAIN' && name === '<<') {
        this.merge(pair.value as Node, path, out);
        continue;
      }
      own.push([name, this.value(pair.value as Node, [...path, name])]);
    }
    for (const [k, v] of own) out[k] = v;
    return out;
  }

  /** `<<: *a` or `<<: [*a, *b]`: earlier mappings win over later ones, own keys over all. */
  private merge(node: Node, path: PathSegment[], out: Record<string, unknown>): void {
    const value = this.value(node, path);
    const sources = Array.isArray(value) ? value : [value];
    for (const source of [...sources].reverse()) {
      if (typeof source !== 'object' || source === null || Array.isArray(source)) {
        this.error(node, path, 'a merge key (<<) takes a mapping or a list of mappings');
        return;
      }
      Object.assign(out, source);
    }
  }

  private error(node: Node, path: PathSegment[], message: string): void {
    const pos = this.source.lines.linePos(node.range?.[0] ?? 0);
    this.diagnostics.push({
      severity: 'error',
      file: this.source.file,
      line: pos.line,
      col: pos.col,
      ...(path.length > 0 ? { field: fieldName(path) } : {}),
      message,
    });
  }
}
