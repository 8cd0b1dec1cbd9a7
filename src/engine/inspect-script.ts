import { maskUnknownSecrets } from '../core/live-secrets';
import { quote } from '../core/shell';

/** A planned file: where it goes, its content, and the command that checks it. */
export interface Candidate {
  path: string;
  content: Buffer;
  /** A validate command; %s is the candidate's path. */
  validate?: string;
}

export type ValidationResult =
  | { status: 'passed'; command: string }
  | { status: 'failed'; command: string; exitCode: number; output: string }
  /** The validator's program is not on the host yet (e.g. its package is not installed). */
  | { status: 'unavailable'; command: string; program: string };

export interface Inspection {
  /** The file's current content; undefined when it is absent or not a regular file. */
  before?: Buffer;
  validation?: ValidationResult;
}

export interface InspectScript {
  script: string;
  /** The candidates' contents, concatenated; each is read by its exact byte count. */
  stdin: Buffer;
}

const MARK = '@@fb-inspect';

/**
 * One read-only sh script that, for each candidate, prints the destination's
 * current content (for diffs) and/or runs its validator on the candidate.
 * Contents and outputs come back base64-encoded, one line each, so that any
 * byte (and a file that changes meanwhile) parses safely.
 * Candidates go to a private (0700) temp folder, which a trap removes on
 * every exit, signal or dropped connection. Nothing else on the host is
 * written. Contents travel on stdin, never in argv. Pure.
 */
export function inspectScript(
  candidates: readonly Candidate[],
  options: { before: boolean; validate: boolean },
): InspectScript {
  const lines = ['set -u', 'export LC_ALL=C', 'fb_dir=""', 'fb_pid=""'];
  const payloads: Buffer[] = [];
  const validating = options.validate && candidates.some((c) => c.validate);
  if (validating) {
    lines.push(
      // A validator runs in the background and is waited for: a signal interrupts
      // `wait` (not a foreground command), so the folder goes even if it hangs.
      `trap 'if [ -n "$fb_pid" ]; then kill "$fb_pid" 2>/dev/null; fi; if [ -n "$fb_dir" ]; then rm -rf -- "$fb_dir"; fi' EXIT`,
      `trap 'exit 129' HUP INT TERM PIPE`,
      `fb_dir=$(mktemp -d "\${TMPDIR:-/tmp}/foobar-infra-check.XXXXXX") || { echo 'cannot create a private temp folder' >&2; exit 71; }`,
      `chmod 700 "$fb_dir"`,
    );
  }
  candidates.forEach((c, i) => {
    const path = quote(c.path);
    if (options.before) {
      // A regular file only: a device or a folder is not read.
      lines.push(
        `if [ -f ${path} ]; then printf '${MARK} ${i} before\\n'; base64 -w 0 -- ${path} || exit 72; printf '\\n'; else printf '${MARK} ${i} absent\\n'; fi`,
      );
    }
    if (validating && c.validate) {
      payloads.push(c.content);
      const program = validatorProgram(c.validate);
      const candidate = `"$fb_dir/${i}/${quoteForDoubleQuotes(baseOf(c.path))}"`;
      const command = c.validate.split('%s').join(candidate);
      lines.push(
        `mkdir -- "$fb_dir/${i}" && dd of=${candidate} bs=65536 count=${c.content.length} iflag=count_bytes,fullblock status=none && [ "$(stat -c %s -- ${candidate})" = ${c.content.length} ] || { echo ${quote(`cannot write the candidate of ${c.path} (disk full?)`)} >&2; exit 71; }`,
        program
          ? `if ! command -v ${quote(program)} >/dev/null 2>&1; then printf '${MARK} ${i} unavailable\\n'; else`
          : 'if :; then',
        // stdin is the next candidates' contents: the validator must not read it.
        `{ ${command}; } </dev/null >"$fb_dir/${i}.out" 2>&1 & fb_pid=$!; wait "$fb_pid"; fb_rc=$?; fb_pid=""`,
        `printf '${MARK} ${i} validated %s\\n' "$fb_rc"; base64 -w 0 < "$fb_dir/${i}.out"; printf '\\n'; fi`,
        `rm -rf -- "$fb_dir/${i}" "$fb_dir/${i}.out"`,
      );
    }
  });
  lines.push(`printf '${MARK} end\\n'`);
  return { script: `${lines.join('\n')}\n`, stdin: Buffer.concat(payloads) };
}

/**
 * Reads the script's output back into one inspection per candidate. Throws
 * when the output is cut short or malformed (e.g. the connection dropped).
 */
export function parseInspection(candidates: readonly Candidate[], output: Buffer): Inspection[] {
  const result: Inspection[] = candidates.map(() => ({}));
  let at = 0;
  const readLine = (): string => {
    const nl = output.indexOf(10, at);
    if (nl < 0) throw new Error('the inspection output was cut short');
    const line = output.subarray(at, nl).toString('utf8');
    at = nl + 1;
    return line;
  };
  const readBase64 = (): Buffer => Buffer.from(readLine(), 'base64');
  for (;;) {
    const line = readLine();
    if (!line.startsWith(`${MARK} `)) throw new Error(`unexpected inspection output: ${line}`);
    const [index, what, a] = line.slice(MARK.length + 1).split(' ');
    if (index === 'end' && what === undefined) return result;
    if (!/^\d+$/.test(index ?? '')) throw new Error(`unexpected inspection output: ${line}`);
    const i = Number(index);
    const c = candidates[i];
    const r = result[i];
    if (!c || !r) throw new Error(`unexpected inspection output: ${line}`);
    if (what === 'before') r.before = readBase64();
    else if (what === 'absent') r.before = undefined;
    else if (what === 'unavailable')
      r.validation = {
        status: 'unavailable',
        command: c.validate!,
        program: validatorProgram(c.validate!) ?? c.validate!,
      };
    else if (what === 'validated') {
      if (!/^\d+$/.test(a ?? '')) throw new Error(`unexpected inspection output: ${line}`);
      const exitCode = Number(a);
      const text = clipOutput(readBase64().toString('utf8'));
      r.validation =
        exitCode === 0
          ? { status: 'passed', command: c.validate! }
          : { status: 'failed', command: c.validate!, exitCode, output: text.trim() };
    } else throw new Error(`unexpected inspection output: ${line}`);
  }
}

/**
 * The program a validate command runs (its first word after any VAR=value
 * assignments), so that a missing one is reported as "not installed yet"
 * rather than as a failed check. Undefined for commands that start otherwise.
 */
export function validatorProgram(command: string): string | undefined {
  const words = command.trim().split(/\s+/);
  const first = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  if (!first || !/^[A-Za-z0-9_./+-]+$/.test(first)) return undefined;
  return first;
}

/** Validator output beyond this many lines is cut (MariaDB prints its whole --help). */
export const MAX_OUTPUT_LINES = 40;

function clipOutput(text: string): string {
  const lines = text.trimEnd().split('\n');
  if (lines.length <= MAX_OUTPUT_LINES) return lines.join('\n');
  return `${lines.slice(0, MAX_OUTPUT_LINES).join('\n')}\n... (${lines.length - MAX_OUTPUT_LINES} more lines)`;
}

function baseOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || 'candidate';
}

function quoteForDoubleQuotes(s: string): string {
  return s.replace(/["$`\\]/g, '\\$&');
}

/**
 * The script's output as a trace (-vvv) shows it. A file's current content is
 * shown by its size only: it is the host's, and may hold secrets the run does
 * not know (a password before its rotation, a key edited by hand); the diff
 * shows it, masked. A validator's output is decoded, with private keys and
 * credential values masked (the redactor masks the run's own secrets).
 */
export function inspectionForTrace(output: Buffer): string {
  const text = output.toString('utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  let after = '';
  return lines
    .map((line) => {
      if (line.startsWith(`${MARK} `)) {
        after = line.split(' ')[2] ?? '';
        return line;
      }
      const data = Buffer.from(line, 'base64');
      if (after === 'before')
        return `(${data.length} bytes: the file's current content, not shown)`;
      const decoded = data.toString('utf8');
      if (decoded.includes('\0') || decoded.includes('\ufffd'))
        return `(${data.length} bytes of binary data)`;
      return maskUnknownSecrets(decoded.replace(/\n$/, ''));
    })
    .join('\n');
}
