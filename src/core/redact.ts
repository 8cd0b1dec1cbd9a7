/** The mask every secret value is replaced with in any output. */
export const MASK = '********';

/**
 * Knows every secret value of a run and scrubs them from text. All output of
 * the tool (stdout, stderr, JSON, files it writes locally) goes through one.
 */
export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string): void {
    // Very short values would mask ordinary text; secrets are validated to be longer.
    if (value.length < 4 || this.values.has(value)) return;
    // The value as it appears escaped in JSON (and in a MySQL option file's
    // double quotes), in SQL strings, and any of these in shell single quotes.
    const shell = (text: string) => text.replace(/'/g, `'\\''`);
    for (const form of [
      value,
      JSON.stringify(value).slice(1, -1),
      value.replace(/\\/g, '\\\\').replace(/'/g, "\\'"),
      value.replace(/'/g, "''"),
    ]) {
      this.values.add(form);
      this.values.add(shell(form));
    }
    // A multi-line secret (a PEM key) shows line by line in a diff: each of
    // its lines is a secret too, except PEM's armour lines, which are public.
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const trimmed = line.trim();
        if (trimmed.length >= 8 && !/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(trimmed))
          this.add(trimmed);
      }
    }
    this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    if (this.values.size === 0) return text;
    if (!this.pattern) {
      const alternatives = [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return text.replace(this.pattern, MASK);
  }
}
