import type { Diagnostic } from './errors';

/**
 * Turns the bytes of an input file into text, or says plainly why it is not
 * UTF-8 text: UTF-16 or UTF-32 (named by its byte-order mark, or by its NUL
 * pattern without one), a binary file (NUL bytes), or a byte that is not
 * UTF-8 (named by line, column and byte offset). Never replaces a bad byte
 * with U+FFFD: a site must not be built from guessed text. Linear. Pure.
 */
export function decodeSource(
  file: string,
  bytes: Uint8Array,
): { text?: string; diagnostics: Diagnostic[] } {
  const fail = (message: string, at = 0) => ({
    diagnostics: [{ severity: 'error' as const, file, ...lineAndColumn(bytes, at), message }],
  });
  const bom = byteOrderMark(bytes);
  if (bom)
    return fail(
      `the file is ${bom.name} text (byte-order mark ${bom.mark}), not UTF-8; save it as UTF-8`,
    );
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    if (looksUtf16(bytes))
      return fail(
        'the file looks like UTF-16 text (NUL bytes between the characters), not UTF-8; save it as UTF-8',
      );
    return fail(`a binary file, not YAML text: NUL byte at offset ${nul}`, nul);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
    return fail(
      `not UTF-8: byte 0x${byte} at offset ${bad} is not valid UTF-8 (Latin-1 or another legacy encoding?); save the file as UTF-8`,
      bad,
    );
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return {
    text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start)),
    diagnostics: [],
  };
}

function byteOrderMark(b: Uint8Array): { name: string; mark: string } | undefined {
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0xfe && b[3] === 0xff)
    return { name: 'UTF-32', mark: '00 00 FE FF' };
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0x00 && b[3] === 0x00)
    return { name: 'UTF-32', mark: 'FF FE 00 00' };
  if (b[0] === 0xff && b[1] === 0xfe) return { name: 'UTF-16', mark: 'FF FE' };
  if (b[0] === 0xfe && b[1] === 0xff) return { name: 'UTF-16', mark: 'FE FF' };
  return undefined;
}

/** ASCII text in UTF-16: one of every two bytes of the first ones is NUL. */
function looksUtf16(b: Uint8Array): boolean {
  const n = Math.min(b.length, 200) & ~1;
  if (n < 4) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) even++;
    if (b[i + 1] === 0) odd++;
  }
  return Math.max(even, odd) >= (n / 2) * 0.9 && Math.min(even, odd) === 0;
}

/** Offset of the first byte that starts no valid UTF-8 sequence (RFC 3629), if any. */
export function firstInvalidUtf8(b: Uint8Array): number | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let max = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return i;
    // Overlong forms, surrogates and code points above U+10FFFF are invalid.
    const min = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    if (c === 0xed) max = 0x9f;
    if (c === 0xf4) max = 0x8f;
    for (let k = 1; k <= need; k++) {
      const next = b[i + k];
      if (next === undefined || next < (k === 1 ? min : 0x80) || next > (k === 1 ? max : 0xbf))
        return i;
    }
    i += need + 1;
  }
  return undefined;
}

/** 1-based line and column (in characters) of a byte offset; the bytes before it are valid UTF-8. */
function lineAndColumn(b: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (b[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = new TextDecoder('utf-8').decode(b.subarray(lineStart, offset));
  return { line, col: [...before].length + 1 };
}
