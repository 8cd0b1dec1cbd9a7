/**
 * Text in the picture: its styles, and widths estimated from the fonts' usual
 * advance widths (wide side), so that the layout is the same on every machine.
 */
export type TextStyle =
  | 'heading'
  | 'subheading'
  | 'column'
  | 'host'
  | 'address'
  | 'title'
  | 'detail'
  | 'label'
  | 'firewall'
  | 'warning'
  | 'note'
  | 'legend';

export interface StyleSpec {
  size: number;
  mono: boolean;
  bold: boolean;
  italic: boolean;
  color: string;
}

const sans = (size: number, color: string, bold = false, italic = false): StyleSpec => ({
  size,
  mono: false,
  bold,
  italic,
  color,
});
const mono = (size: number, color: string): StyleSpec => ({
  size,
  mono: true,
  bold: false,
  italic: false,
  color,
});

export const STYLES: Record<TextStyle, StyleSpec> = {
  heading: sans(18, '#0f172a', true),
  subheading: sans(12, '#64748b'),
  column: sans(11, '#64748b', true),
  host: sans(14, '#0f172a', true),
  address: mono(11, '#475569'),
  title: sans(13, '#0f172a', true),
  detail: mono(11, '#334155'),
  label: mono(11, '#1e293b'),
  firewall: mono(10, '#15803d'),
  warning: mono(10, '#b91c1c'),
  note: sans(11, '#64748b', false, true),
  legend: sans(11, '#334155'),
};

// Advance widths of DejaVu Sans (the widest of the usual sans-serif fonts), in em.
const SANS_WIDTHS: Record<string, number> = {
  ' ': 0.318,
  '.': 0.318,
  ',': 0.318,
  ':': 0.337,
  ';': 0.337,
  '-': 0.361,
  '/': 0.337,
  '(': 0.39,
  ')': 0.39,
  _: 0.5,
  i: 0.278,
  j: 0.278,
  l: 0.278,
  f: 0.352,
  t: 0.392,
  r: 0.411,
  s: 0.521,
  z: 0.525,
  c: 0.55,
  k: 0.579,
  m: 0.974,
  w: 0.818,
  I: 0.295,
  M: 0.863,
  W: 0.989,
};

/** The width of a text in a style, rounded up. */
export function textWidth(text: string, style: TextStyle): number {
  const spec = STYLES[style];
  const chars = [...text];
  if (spec.mono) return Math.ceil(chars.length * 0.602 * spec.size);
  let em = 0;
  for (const ch of chars) {
    if (SANS_WIDTHS[ch] !== undefined) em += SANS_WIDTHS[ch];
    else if (/[A-Z]/.test(ch)) em += 0.72;
    else if (/[0-9]/.test(ch)) em += 0.636;
    else em += 0.62;
  }
  return Math.ceil(em * spec.size * (spec.bold ? 1.08 : 1));
}

/** Words packed into lines no wider than `max` (a longer word gets a line of its own). */
export function wrapText(text: string, style: TextStyle, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, style) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** Items packed into lines joined by " · ", each item wrapped when it is too long alone. */
export function packItems(items: string[], style: TextStyle, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line ? `${line} · ${item}` : item;
    if (textWidth(next, style) <= max) {
      line = next;
      continue;
    }
    if (line) lines.push(line);
    const parts = wrapText(item, style, max);
    line = parts.pop()!;
    lines.push(...parts);
  }
  if (line) lines.push(line);
  return lines;
}
