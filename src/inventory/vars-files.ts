import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from '../core/errors';
import { readSourceFile, typeOf, type PathSegment, type YamlSource } from '../core/yaml-source';
import { isAnsibleVault, readAnsibleYaml } from './ansible-yaml';
import { VAULT_FILE } from './unsupported';
import { isMapping, readVars, type Refused } from './read-vars';
import type { Vocabulary } from './variables';

/** One source of variables, applied as a whole: a file's mapping, or a group's `vars:`. */
export interface VarsLayer {
  file: string;
  vars: Record<string, unknown>;
  paths: Record<string, PathSegment[]>;
  /** Variables whose value was refused; `all` for a file that could not be read. */
  refused?: Refused;
}

export type VarsKind = 'group_vars' | 'host_vars';

/** Extensions Ansible reads, in the order it looks for them. */
const EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/**
 * The files of `group_vars/` and `host_vars/` in one folder (beside the
 * inventory, or beside the playbook), found as Ansible finds them: for a name,
 * the first of NAME (a file, or a folder whose files apply in name order),
 * NAME.yml, NAME.yaml, NAME.json. Each file is read once.
 */
export class VarsFolder {
  private readonly cache = new Map<string, VarsLayer | undefined>();
  private readonly found = new Map<string, string[]>();

  constructor(
    readonly dir: string,
    private readonly vocabulary: Vocabulary,
    private readonly diagnostics: Diagnostic[],
    private readonly sources: Map<string, YamlSource>,
  ) {}

  /** The layers for a group or host name, lowest precedence first. */
  layers(kind: VarsKind, name: string): VarsLayer[] {
    return this.filesFor(kind, name)
      .map((file) => this.load(file))
      .filter((l): l is VarsLayer => l !== undefined);
  }

  filesFor(kind: VarsKind, name: string): string[] {
    const key = `${kind}/${name}`;
    let files = this.found.get(key);
    if (!files) this.found.set(key, (files = this.find(kind, name)));
    return files;
  }

  private find(kind: VarsKind, name: string): string[] {
    const folder = path.join(this.dir, kind);
    if (!isDirectory(folder) || name.startsWith('/')) return [];
    for (const ext of EXTENSIONS) {
      const candidate = path.join(folder, name + ext);
      if (!fs.existsSync(candidate)) continue;
      return isDirectory(candidate) ? filesUnder(candidate) : [candidate];
    }
    return [];
  }

  /**
   * Warnings for what Ansible would skip without a word: a file whose name is
   * no group or host, and a file shadowed by another of the same name.
   */
  unusedFiles(kind: VarsKind, names: ReadonlySet<string>): Diagnostic[] {
    const folder = path.join(this.dir, kind);
    if (!isDirectory(folder)) return [];
    const out: Diagnostic[] = [];
    for (const entry of fs.readdirSync(folder).sort()) {
      if (entry.startsWith('.') || entry.endsWith('~')) continue;
      const ext = EXTENSIONS.find((e) => e !== '' && entry.endsWith(e)) ?? '';
      const name = entry.slice(0, entry.length - ext.length);
      const file = path.join(folder, entry);
      const what = kind === 'group_vars' ? 'group' : 'host';
      if (!names.has(name)) {
        out.push(
          warning(file, `no ${what} named "${name}" in the inventory: this file is not read`),
        );
      } else if (!this.filesFor(kind, name).some((f) => f === file || f.startsWith(file + '/'))) {
        out.push(
          warning(
            file,
            `not read: for ${what} "${name}" only the first of ${name}, ${name}.yml, ${name}.yaml, ${name}.json is read, as in Ansible`,
          ),
        );
      }
    }
    return out;
  }

  private load(file: string): VarsLayer | undefined {
    if (this.cache.has(file)) return this.cache.get(file);
    const layer = this.read(file);
    this.cache.set(file, layer);
    return layer;
  }

  /** The file's variables; a file with errors refuses every variable (none is judged). */
  private read(file: string): VarsLayer | undefined {
    const unread: VarsLayer = { file, vars: {}, paths: {}, refused: 'all' };
    const read = readSourceFile(file);
    if (read.text === undefined) {
      this.diagnostics.push(...read.diagnostics);
      return unread;
    }
    // An empty file sets nothing, as in Ansible.
    if (read.text.split('\n').every((line) => /^\s*(#.*)?$/.test(line))) return undefined;
    if (isAnsibleVault(read.text)) {
      this.diagnostics.push({ severity: 'error', file, line: 1, col: 1, message: VAULT_FILE });
      return unread;
    }
    const parsed = readAnsibleYaml(file, read.text);
    if (!parsed.source) {
      this.diagnostics.push(...parsed.diagnostics);
      return unread;
    }
    this.sources.set(file, parsed.source);
    const data = parsed.source.data;
    if (data === null) return undefined;
    if (!isMapping(data)) {
      this.diagnostics.push({
        severity: 'error',
        file,
        line: 1,
        col: 1,
        message: `a variables file is a mapping of names to values, got ${typeOf(data)}`,
      });
      return unread;
    }
    const ctx = { source: parsed.source, ...this.vocabulary, diagnostics: this.diagnostics };
    return { file, ...readVars(ctx, data, []) };
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** A folder's variable files in name order, sub-folders (without an extension) included. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir).sort(byCodePoint)) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const full = path.join(dir, entry);
    const ext = path.extname(entry);
    if (isDirectory(full)) {
      if (!ext) out.push(...filesUnder(full));
    } else if (!ext || EXTENSIONS.includes(ext)) {
      out.push(full);
    }
  }
  return out;
}

export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function warning(file: string, message: string): Diagnostic {
  return { severity: 'warning', file, message };
}
