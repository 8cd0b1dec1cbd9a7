import { MASK } from './redact';

/**
 * Secrets the run cannot know: values read from a host (a password before
 * its rotation, a key edited by hand). The redactor masks the values of the
 * run; these masks work on the shape of the text instead. Pure.
 */

/**
 * Lines that name a credential. A line like this read from a host may hold a
 * value the run does not know, so its value is masked.
 */
export const CREDENTIAL_LINE =
  /^(.*?(?:password|passwd|passphrase|secret|token|api[_-]?key|private[_-]?key|credentials?|auth)[\w.-]*["']?\s*(?:[=:]|\s)\s*)(\S.*)$/i;

const PEM_BEGIN = /^\s*-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\s*$/;
const PEM_END = /^\s*-----END [A-Z0-9 ]*PRIVATE KEY-----\s*$/;

/** A line naming a credential with its value masked; other lines as they are. */
export function maskCredentialLine(line: string): string {
  const m = CREDENTIAL_LINE.exec(line);
  if (!m || m[2]!.startsWith(MASK)) return line;
  return `${m[1]}${MASK}`;
}

/**
 * Text that may hold secrets unknown to the run, made safe to print: the body
 * of every PEM private-key block becomes one mask line (the armour stays, so
 * the reader sees a key was there; an unterminated block is masked to the
 * end), and every line naming a credential has its value masked.
 */
export function maskUnknownSecrets(text: string): string {
  const out: string[] = [];
  for (const { line, part } of pemParts(text)) {
    if (part === 'begin') out.push(line, MASK);
    else if (part === 'end') out.push(line);
    else if (part === 'other') out.push(maskCredentialLine(line));
  }
  return out.join('\n');
}

/** The lines inside the text's PEM private-key blocks (armour excluded). */
export function privateKeyLines(text: string): Set<string> {
  const lines = new Set<string>();
  for (const { line, part } of pemParts(text)) if (part === 'key') lines.add(line);
  return lines;
}

/** Each line of the text, with its place: a private key's armour or body, or other text. */
function* pemParts(
  text: string,
): Generator<{ line: string; part: 'begin' | 'key' | 'end' | 'other' }> {
  let inKey = false;
  for (const line of text.split('\n')) {
    if (inKey && PEM_END.test(line)) {
      inKey = false;
      yield { line, part: 'end' };
    } else if (inKey) yield { line, part: 'key' };
    else if (PEM_BEGIN.test(line)) {
      inKey = true;
      yield { line, part: 'begin' };
    } else yield { line, part: 'other' };
  }
}
