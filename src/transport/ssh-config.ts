import { matchPatternList } from './host-pattern';

/**
 * A pure reader of OpenSSH client configuration (`~/.ssh/config`): the parts
 * foobar-infra honours are `Host` blocks, `Match all`, `Include`, `HostName`,
 * `User`, `Port`, `IdentityFile` and `ProxyJump`. Other keywords are kept
 * unread. As in OpenSSH, the first value obtained for a keyword wins, except
 * `IdentityFile`, whose values add up in order, and `Host` patterns match the
 * name as given, case-sensitively.
 */

export type SshConfigCondition =
  | { kind: 'host'; patterns: string[] }
  | { kind: 'all' }
  /** A `Match` this reader does not evaluate: it never matches. */
  | { kind: 'unsupported'; text: string };

export interface SshConfigOption {
  /** Lower case, e.g. `hostname`. */
  keyword: string;
  args: string[];
  file: string;
  line: number;
  /** Every condition must hold for the option to apply (Include nests them). */
  when: SshConfigCondition[];
}

export interface SshConfigProblem {
  file: string;
  line: number;
  message: string;
}

export interface SshConfig {
  options: SshConfigOption[];
  /** Lines that were ignored, with the reason. Never fatal, as for OpenSSH warnings. */
  problems: SshConfigProblem[];
}

/** Reads the files an `Include` names (already globbed), relative to `fromFile`. */
export type IncludeReader = (pattern: string, fromFile: string) => { file: string; text: string }[];

const MAX_INCLUDE_DEPTH = 16;

/** Keywords this reader interprets; any other keyword is kept unread. */
const KNOWN = new Set(['hostname', 'user', 'port', 'identityfile', 'proxyjump']);

/**
 * Splits the arguments of a config line like OpenSSH does: whitespace
 * separates, single or double quotes group, a backslash escapes either quote
 * or a backslash (a space too, outside quotes), and a `#` that starts a word
 * ends the line.
 */
export function splitArgs(text: string): { args: string[]; error?: string } {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && /['"\\]/.test(text[i + 1] ?? '')) current += text[++i];
      else current += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && /['"\\ ]/.test(text[i + 1] ?? '')) {
      current += text[++i];
      inWord = true;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) return { args, error: 'unterminated quote' };
  if (inWord) args.push(current);
  return { args };
}

/** Parses one config file; `include` reads the files of `Include` lines (none: they are reported). */
export function parseSshConfig(
  text: string,
  file = 'ssh_config',
  include?: IncludeReader,
): SshConfig {
  const config: SshConfig = { options: [], problems: [] };
  parseInto(config, text, file, [], include, 0);
  return config;
}

function parseInto(
  config: SshConfig,
  text: string,
  file: string,
  outer: SshConfigCondition[],
  include: IncludeReader | undefined,
  depth: number,
): void {
  let when = outer;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const problem = (message: string): void => {
      config.problems.push({ file, line, message });
    };
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const head = /^([^\s=]+)[ \t]*(?:=[ \t]*)?(.*)$/.exec(trimmed);
    if (!head) return problem('cannot read this line');
    const keyword = head[1].toLowerCase();
    const { args, error } = splitArgs(head[2]);
    if (error) return problem(`${head[1]}: ${error}`);
    if (keyword === 'host') {
      // No pattern (`Host # note`): OpenSSH ends the block above; this one matches no host.
      when = [...outer, { kind: 'host', patterns: args }];
      if (args.length === 0) return problem('Host: missing pattern, the block matches no host');
    } else if (keyword === 'match') {
      const all = args.length === 1 && args[0].toLowerCase() === 'all';
      if (!all) problem(`Match ${args.join(' ')}: not evaluated, its settings are ignored`);
      when = [...outer, all ? { kind: 'all' } : { kind: 'unsupported', text: args.join(' ') }];
    } else if (keyword === 'include') {
      if (!include) return problem('Include: not followed here');
      if (depth >= MAX_INCLUDE_DEPTH) return problem('Include: nested too deeply');
      for (const pattern of args) {
        for (const included of include(pattern, file)) {
          parseInto(config, included.text, included.file, when, include, depth + 1);
        }
      }
    } else if (KNOWN.has(keyword)) {
      if (args.length === 0) return problem(`${head[1]}: missing argument`);
      if (keyword === 'port' && !isPort(args[0])) {
        return problem(`Port ${args[0]}: not a port number`);
      }
      config.options.push({ keyword, args, file, line, when });
    }
    return undefined;
  });
}

function isPort(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;
}

export function conditionHolds(when: readonly SshConfigCondition[], host: string): boolean {
  return when.every(
    (c) => c.kind === 'all' || (c.kind === 'host' && matchPatternList(c.patterns, host, false)),
  );
}

/** What ssh config says about one host. Values are as written, except `%h` in HostName. */
export interface SshHostSettings {
  hostName?: string;
  user?: string;
  port?: number;
  /** Unexpanded (see expandPath), in order, without duplicates. */
  identityFiles: string[];
  /** `user@host[:port]`, possibly a comma-separated chain; `none` turns a jump off. */
  proxyJump?: string;
}

/** The settings for `host` (the name given to ssh, matched against `Host` patterns). */
export function resolveSshConfig(config: SshConfig, host: string): SshHostSettings {
  const settings: SshHostSettings = { identityFiles: [] };
  for (const option of config.options) {
    if (!conditionHolds(option.when, host)) continue;
    const value = option.args[0];
    switch (option.keyword) {
      case 'hostname':
        settings.hostName ??= value.replace(/%([%h])/g, (_m, t: string) =>
          t === 'h' ? host : '%',
        );
        break;
      case 'user':
        settings.user ??= value;
        break;
      case 'port':
        settings.port ??= Number(value);
        break;
      case 'proxyjump':
        settings.proxyJump ??= value;
        break;
      case 'identityfile':
        if (!settings.identityFiles.includes(value)) settings.identityFiles.push(value);
        break;
    }
  }
  return settings;
}

export interface PathTokens {
  home: string;
  localUser: string;
  remoteUser: string;
  /** The host name connected to (after HostName). */
  hostName: string;
  /** The name as given, before HostName. */
  originalHost: string;
  port: number;
}

/** `~/…` and the `%d %u %r %h %n %p %%` tokens of IdentityFile. */
export function expandPath(value: string, tokens: PathTokens): string {
  const withTokens = value.replace(/%([%durhnp])/g, (_m, t: string) => {
    switch (t) {
      case 'd':
        return tokens.home;
      case 'u':
        return tokens.localUser;
      case 'r':
        return tokens.remoteUser;
      case 'h':
        return tokens.hostName;
      case 'n':
        return tokens.originalHost;
      case 'p':
        return String(tokens.port);
      default:
        return '%';
    }
  });
  if (withTokens === '~') return tokens.home;
  if (withTokens.startsWith('~/')) return `${tokens.home}${withTokens.slice(1)}`;
  return withTokens;
}
