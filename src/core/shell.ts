/** POSIX single-quoting: one word, taken literally by sh, dash, bash, zsh and ksh; safe for any byte string except NUL. */
export function quote(value: string): string {
  if (value === '') return "''";
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Words quoted and joined into a command line. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(quote).join(' ');
}
