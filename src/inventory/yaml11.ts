/**
 * How YAML 1.1 (what Ansible's PyYAML reads) resolves a plain scalar, and how
 * that compares with YAML 1.2 (what the `yaml` package reads). Pure.
 */

/** A plain scalar's value under YAML 1.1's resolvers. */
export function resolveYaml11(raw: string): unknown {
  if (/^(?:~|null|Null|NULL|)$/.test(raw)) return null;
  if (/^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/.test(raw)) return true;
  if (/^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/.test(raw)) return false;
  const int = resolveInt(raw);
  if (int !== undefined) return int;
  const float = resolveFloat(raw);
  if (float !== undefined) return float;
  return raw;
}

function resolveInt(raw: string): number | undefined {
  const m = /^([-+]?)(.*)$/.exec(raw)!;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2]!.replace(/_/g, '');
  if (/^0b[0-1_]+$/.test(m[2]!)) return sign * parseInt(body.slice(2), 2);
  if (/^0x[0-9a-fA-F_]+$/.test(m[2]!)) return sign * parseInt(body.slice(2), 16);
  if (/^0[0-7_]+$/.test(m[2]!)) return sign * parseInt(body, 8);
  if (/^(?:0|[1-9][0-9_]*)$/.test(m[2]!)) return sign * parseInt(body, 10);
  if (/^[1-9][0-9_]*(?::[0-5]?[0-9])+$/.test(m[2]!)) return sign * sexagesimal(body);
  return undefined;
}

function resolveFloat(raw: string): number | undefined {
  const m = /^([-+]?)(.*)$/.exec(raw)!;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2]!;
  if (/^\.(?:nan|NaN|NAN)$/.test(raw)) return NaN;
  if (/^\.(?:inf|Inf|INF)$/.test(body)) return sign * Infinity;
  if (
    /^[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?$/.test(body) ||
    /^\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?$/.test(raw)
  )
    return sign * parseFloat(body.replace(/_/g, ''));
  if (/^[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/.test(body))
    return sign * sexagesimal(body.replace(/_/g, ''));
  return undefined;
}

function sexagesimal(text: string): number {
  return text.split(':').reduce((total, part) => total * 60 + parseFloat(part), 0);
}

/** A date alone (2024-01-15): YAML 1.1 makes it a date, which Ansible prints as the same text. */
const DATE_ONLY = /^\d{4}-\d\d-\d\d$/;
/** YAML 1.1's timestamp pattern, beyond a date alone. */
const TIMESTAMP =
  /^\d{4}-\d\d?-\d\d?(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?$/;

export type Yaml11Reading =
  { agree: true; value: unknown } | { agree: false; yaml11: unknown; yaml12: unknown };

/**
 * The value of a plain scalar read as Ansible reads it. `agree` is false when
 * YAML 1.1 and 1.2 give different values and the tool cannot know which one was
 * meant (an octal-looking 0644, a base-60 1:30, 1e3, 1_000, a timestamp).
 * YAML 1.1's booleans (yes/no/on/off) are taken as Ansible takes them.
 */
export function readPlainScalar(raw: string, yaml12: unknown): Yaml11Reading {
  if (DATE_ONLY.test(raw)) return { agree: true, value: raw };
  if (TIMESTAMP.test(raw)) return { agree: false, yaml11: 'a timestamp', yaml12 };
  const yaml11 = resolveYaml11(raw);
  if (typeof yaml11 === 'boolean') return { agree: true, value: yaml11 };
  if (Object.is(yaml11, yaml12) || yaml11 === yaml12) return { agree: true, value: yaml12 };
  return { agree: false, yaml11, yaml12 };
}

/** The error for a scalar the two YAML versions read differently. */
export function disagreementMessage(raw: string, yaml11: unknown, yaml12: unknown): string {
  const number =
    typeof yaml11 === 'number' ? yaml11 : typeof yaml12 === 'number' ? yaml12 : undefined;
  const orNumber =
    number !== undefined && Number.isFinite(number) ? `, or write ${number} for the number` : '';
  return `unquoted ${raw} is ${describe(yaml11)} in YAML 1.1 (as Ansible reads it) but ${describe(yaml12)} in YAML 1.2; the tool will not guess: quote it ("${raw}") for the string${orNumber}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value === 'a timestamp' ? value : `the string "${value}"`;
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}
