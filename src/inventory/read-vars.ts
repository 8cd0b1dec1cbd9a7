import type { z } from 'zod';
import type { Diagnostic } from '../core/errors';
import { closest, didYouMean } from '../core/suggest';
import {
  diagnosticAt,
  typeOf,
  zodDiagnostics,
  type PathSegment,
  type YamlSource,
} from '../core/yaml-source';
import { isSecretRef, looksSecret } from './secret-ref';
import { ALIASES, isKnownVariable, type VariableSpec, type VariableTable } from './variables';

/** What checking a mapping of variables needs: the file it is in and the playbook's names. */
export interface VarsContext {
  source: YamlSource;
  /** The tool's known variables (the connection's, a site's): typed, with defaults. */
  variables: VariableTable;
  /** Variables the playbook declares: allowed besides the tool's own. */
  declared: ReadonlySet<string>;
  diagnostics: Diagnostic[];
}

/** Read where Ansible gives it a meaning (the inventory file), never as a variable. */
export const GROUP_PRIORITY = 'ansible_group_priority';

/**
 * Variables whose value was refused (their error is reported): a set of
 * names, or `all` when the whole mapping or file was. No rule judges them.
 */
export type Refused = ReadonlySet<string> | 'all';

/** Accepted variables with the YAML path of each, and the names refused. */
export interface ReadVars {
  vars: Record<string, unknown>;
  paths: Record<string, PathSegment[]>;
  refused: Refused;
}

/**
 * Checks a mapping of variables: each one the tool's (typed by its schema) or
 * one the playbook declares, Ansible's connection names renamed to the tool's.
 * Returns the accepted variables with the YAML path of each.
 */
export function readVars(ctx: VarsContext, value: unknown, path: PathSegment[]): ReadVars {
  const vars: Record<string, unknown> = {};
  const paths: Record<string, PathSegment[]> = {};
  if (!isMapping(value)) {
    error(ctx, path, `variables are a mapping of names to values, got ${typeOf(value)}`);
    return { vars, paths, refused: 'all' };
  }
  const refused = new Set<string>();
  for (const [rawKey, v] of Object.entries(value)) {
    const key = ALIASES[rawKey] ?? rawKey;
    const varPath = [...path, rawKey];
    const accepted = checkVariable(ctx, key, rawKey, v, varPath);
    if (accepted === NOT_ACCEPTED) {
      refused.add(key);
      // A near miss: the variable it likely meant is then missing, and no rule judges it.
      const meant =
        isKnownVariable(ctx.variables, key) || ctx.declared.has(key)
          ? undefined
          : nearMiss(ctx, rawKey);
      if (meant !== undefined) refused.add(ALIASES[meant] ?? meant);
      continue;
    }
    vars[key] = accepted;
    paths[key] = varPath;
  }
  return { vars, paths, refused };
}

/** What stays refused after a later mapping applies over an earlier one. */
export function laterRefused(before: Refused, later: ReadVars): Refused {
  if (before === 'all' || later.refused === 'all') return 'all';
  const out = new Set(before);
  for (const k of Object.keys(later.vars)) out.delete(k);
  for (const k of later.refused) out.add(k);
  return out;
}

function knownNames(ctx: VarsContext): string[] {
  return [...Object.keys(ctx.variables), ...ctx.declared];
}

function nearMiss(ctx: VarsContext, rawKey: string): string | undefined {
  return closest(rawKey, knownNames(ctx));
}

const NOT_ACCEPTED = Symbol('not accepted');

function checkVariable(
  ctx: VarsContext,
  key: string,
  rawKey: string,
  value: unknown,
  varPath: PathSegment[],
): unknown {
  if (isKnownVariable(ctx.variables, key)) {
    const spec: VariableSpec = ctx.variables[key]!;
    if (spec.secret && typeof value === 'string') {
      error(ctx, varPath, plainSecretMessage(key));
      return NOT_ACCEPTED;
    }
    const result = (spec.schema as z.ZodType).safeParse(value);
    if (!result.success) {
      ctx.diagnostics.push(
        ...zodDiagnostics(ctx.source, varPath, result.error, () => ['env', 'file', 'vault']),
      );
      return NOT_ACCEPTED;
    }
    return result.data;
  }
  if (ctx.declared.has(key)) {
    if (looksSecret(key) && typeof value === 'string' && !isSecretRef(value)) {
      error(ctx, varPath, plainSecretMessage(key));
      return NOT_ACCEPTED;
    }
    return value;
  }
  if (rawKey === GROUP_PRIORITY) {
    error(
      ctx,
      varPath,
      `${GROUP_PRIORITY} orders groups only in the inventory file, under a group's "vars:" (Ansible takes it as a plain variable anywhere else): move it there`,
      true,
    );
    return NOT_ACCEPTED;
  }
  // A near miss of a variable the tool reads is a typo that would silently keep
  // the default: an error. Any other name is the operator's own (an Ansible
  // inventory carries many for other roles): kept as it is, as Ansible does.
  const hint = didYouMean(rawKey, knownNames(ctx));
  if (hint) {
    error(ctx, varPath, `unknown variable${hint}`, true);
    return NOT_ACCEPTED;
  }
  if (looksSecret(key) && typeof value === 'string' && !isSecretRef(value)) {
    ctx.diagnostics.push(
      diagnosticAt(
        ctx.source,
        varPath,
        `${plainSecretMessage(key)} (foobar-infra does not use it)`,
        {
          severity: 'warning',
        },
      ),
    );
  }
  return value;
}

export function plainSecretMessage(key: string): string {
  return `plain-text secret: "${key}" must be a reference, e.g. { env: ${key.toUpperCase()} }, { file: /path/outside/git } or { vault: ${key} }`;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function error(ctx: VarsContext, path: PathSegment[], message: string, key = false): void {
  ctx.diagnostics.push(diagnosticAt(ctx.source, path, message, { key }));
}
