/**
 * Shell completion scripts (bash, zsh) from the CLI's command tree. Pure:
 * the tree in, the script out. The scripts share their tables (plain `case`
 * statements both shells read); each has its own small driver.
 */

/** What a value completes to. */
export type ValueKind =
  | { kind: 'file' }
  | { kind: 'dir' }
  /** Host and group names of the inventory on the command line (or the default one). */
  | { kind: 'hosts' }
  | { kind: 'choices'; choices: readonly string[] }
  | { kind: 'any' };

export interface CompletionOption {
  /** `-i`, `--inventory`. */
  flags: string[];
  description: string;
  /** Undefined for an option that takes no value. */
  value: ValueKind | undefined;
  /** The value may be left out (`[seconds]`): the next word is never taken as it. */
  optionalValue: boolean;
}

export interface CompletionArgument {
  name: string;
  variadic: boolean;
  value: ValueKind;
}

export interface CompletionCommand {
  /** Words after the program's name: [] for the program, ['lab', 'up']. */
  path: string[];
  description: string;
  options: CompletionOption[];
  arguments: CompletionArgument[];
  subcommands: CompletionCommand[];
}

const PROGRAM = 'foobar-infra';
/** The completion function, and the prefix of its helpers. */
const FN = '_foobar_infra';
const H = '__foobar_infra';

/** A word in single quotes, for sh, bash and zsh alike. */
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function commands(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.subcommands.flatMap(commands)];
}

/** A value kind as one word: file, dir, hosts, any, or choices:a,b. */
function word(value: ValueKind): string {
  if (value.kind !== 'choices') return value.kind;
  // Choices are plain words; one that is not would break the tables: left free.
  if (!value.choices.every((c) => /^[A-Za-z0-9_.+-]+$/.test(c))) return 'any';
  return `choices:${value.choices.join(',')}`;
}

/** The `case` tables both scripts use. */
function tables(root: CompletionCommand): string {
  const all = commands(root);
  const cases = (fn: string, doc: string, arms: [string, string][]) =>
    [
      `# ${doc}`,
      `${fn}() {`,
      '  case "$1" in',
      ...arms.map(([pattern, out]) => `    ${pattern}) ${out ? `printf '%s\\n' ${out}` : ':'} ;;`),
      '  esac',
      '}',
    ].join('\n');
  const path = (c: CompletionCommand) => sq(c.path.join(' '));
  return [
    cases(
      `${H}_subcommands`,
      'COMMAND PATH → its subcommands.',
      all
        .filter((c) => c.subcommands.length > 0)
        .map((c) => [path(c), c.subcommands.map((s) => sq(s.path.at(-1)!)).join(' ')]),
    ),
    cases(
      `${H}_options`,
      'COMMAND PATH → its options.',
      all.map((c) => [path(c), c.options.flatMap((o) => o.flags.map(sq)).join(' ')]),
    ),
    cases(
      `${H}_option_value`,
      'COMMAND PATH|OPTION → what its value completes to; nothing for an option without one.',
      all.flatMap((c) =>
        c.options
          .filter((o) => o.value && !o.optionalValue)
          .map((o): [string, string] => [
            o.flags.map((f) => sq(`${c.path.join(' ')}|${f}`)).join('|'),
            sq(word(o.value!)),
          ]),
      ),
    ),
    cases(
      `${H}_arguments`,
      'COMMAND PATH → its arguments in order, as NAME:KIND (+ when the last repeats).',
      all
        .filter((c) => c.arguments.length > 0)
        .map((c) => [
          path(c),
          c.arguments
            .map((a) => sq(`${a.name}:${word(a.value)}${a.variadic ? '+' : ''}`))
            .join(' '),
        ]),
    ),
    [
      '# Host and group names of the inventory given on the line (or the default one);',
      '# nothing when it cannot be read.',
      `${H}_hosts() {`,
      '  set -- inventory --graph',
      '  [ -n "$__fi_inventory" ] && set -- "$@" -i "$__fi_inventory"',
      '  [ -n "$__fi_playbook" ] && set -- "$@" --playbook "$__fi_playbook"',
      '  "$__fi_cmd" "$@" 2>/dev/null </dev/null |',
      `    sed -e 's/^[ |]*--//' -e 's/^@//' -e 's/:$//'`,
      '}',
    ].join('\n'),
  ].join('\n\n');
}

/**
 * The words before the cursor, read as the CLI reads them: the command path,
 * an option waiting for its value, how many arguments were given, and the
 * inventory and playbook (for host names). Shared by both drivers: the
 * words are in `__fi_words`, the first after the program's name at index
 * `first`, and `$1` is the index of the word under the cursor.
 */
function scanner(first: string): string {
  return [
    `  local i=${first} word entry`,
    '  while [ "$i" -lt "$1" ]; do',
    '    word="${__fi_words[$i]}"',
    '    i=$((i + 1))',
    "    # bash splits --option=value at '=' into three words.",
    '    [ "$word" = "=" ] && continue',
    '    if [ -n "$__fi_expect" ]; then',
    '      case "$__fi_expect" in -i | --inventory) __fi_inventory="$word" ;; esac',
    '      __fi_expect=""',
    '      continue',
    '    fi',
    '    case "$word" in',
    '      --inventory=*) __fi_inventory="${word#*=}" ;;',
    '      --*=*) ;;',
    `      -*) [ -n "$(${H}_option_value "$__fi_path|$word")" ] && __fi_expect="$word" ;;`,
    '      *)',
    `        if [ "$__fi_npos" = 0 ] && ${H}_subcommands "$__fi_path" | grep -qxF -- "$word"; then`,
    '          __fi_path="${__fi_path:+$__fi_path }$word"',
    '        else',
    `          entry="$(${H}_argument "$__fi_npos")"`,
    '          [ "${entry%%:*}" = playbook ] && __fi_playbook="$word"',
    '          __fi_npos=$((__fi_npos + 1))',
    '        fi',
    '        ;;',
    '    esac',
    '  done',
    '  __fi_inventory="${__fi_inventory/#\\~/$HOME}"',
    '  __fi_playbook="${__fi_playbook/#\\~/$HOME}"',
  ].join('\n');
}

/** The entry (NAME:KIND) of argument N of the current command; the last repeats when variadic. */
function argumentLookup(): string {
  return [
    `${H}_argument() {`,
    '  local n=0 entry last=""',
    `  for entry in $(${H}_arguments "$__fi_path"); do`,
    '    if [ "$n" = "$1" ]; then',
    '      printf \'%s\\n\' "$entry"',
    '      return',
    '    fi',
    '    last="$entry"',
    '    n=$((n + 1))',
    '  done',
    '  case "$last" in *+) printf \'%s\\n\' "$last" ;; esac',
    '}',
  ].join('\n');
}

/** `foobar-infra completion bash`. */
export function bashCompletion(root: CompletionCommand): string {
  return `# bash completion for ${PROGRAM}, generated by \`${PROGRAM} completion bash\` from
# the CLI itself: regenerate it after an upgrade. To enable it, add to ~/.bashrc:
#   source <(${PROGRAM} completion bash)

${tables(root)}

${argumentLookup()}

# Completes a value of KIND (the word under the cursor is $__fi_cur).
${H}_value() {
  local IFS=$'\\n' pre="" last="$__fi_cur"
  case "$1" in
    file)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$__fi_cur"))
      ;;
    dir)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$__fi_cur"))
      ;;
    hosts)
      # A pattern: names joined by commas, each may start with ! or &.
      case "$last" in *,*) pre="\${last%,*},"; last="\${last##*,}" ;; esac
      case "$last" in [\\!\\&]*) pre="$pre\${last:0:1}"; last="\${last:1}" ;; esac
      COMPREPLY=($(compgen -P "$pre" -W "$(${H}_hosts)" -- "$last"))
      ;;
    choices:*)
      local choices="\${1#choices:}"
      COMPREPLY=($(compgen -W "\${choices//,/$'\\n'}" -- "$__fi_cur"))
      ;;
  esac
}

${H}_scan() {
${scanner('1')}
}

${FN}() {
  local __fi_words=("\${COMP_WORDS[@]}") __fi_cur="\${COMP_WORDS[COMP_CWORD]}"
  local __fi_cmd="\${COMP_WORDS[0]}" __fi_path="" __fi_expect="" __fi_npos=0
  local __fi_inventory="" __fi_playbook="" entry
  COMPREPLY=()
  ${H}_scan "$COMP_CWORD"
  # --option=<TAB>: bash gives the '=' as the word under the cursor.
  [ "$__fi_cur" = "=" ] && __fi_cur=""
  if [ -n "$__fi_expect" ]; then
    ${H}_value "$(${H}_option_value "$__fi_path|$__fi_expect")"
    return 0
  fi
  case "$__fi_cur" in
    -*)
      COMPREPLY=($(compgen -W "$(${H}_options "$__fi_path")" -- "$__fi_cur"))
      return 0
      ;;
  esac
  if [ "$__fi_npos" = 0 ] && [ -n "$(${H}_subcommands "$__fi_path")" ]; then
    COMPREPLY=($(compgen -W "$(${H}_subcommands "$__fi_path")" -- "$__fi_cur"))
    return 0
  fi
  entry="$(${H}_argument "$__fi_npos")"
  [ -n "$entry" ] && entry="\${entry#*:}" && ${H}_value "\${entry%+}"
  return 0
}

complete -F ${FN} ${PROGRAM}
`;
}

/** zsh's `_describe` entries (NAME:DESCRIPTION) of a command's subcommands and options. */
function describeTables(root: CompletionCommand): string {
  const all = commands(root);
  const entry = (name: string, description: string) =>
    sq(`${name.replace(/:/g, '\\:')}:${description.replace(/\s+/g, ' ').trim()}`);
  const fn = (name: string, doc: string, arms: [string, string[]][]) =>
    [
      `# ${doc}`,
      `${name}() {`,
      '  case "$1" in',
      ...arms.map(([pattern, entries]) => `    ${pattern}) reply=(${entries.join(' ')}) ;;`),
      '    *) reply=() ;;',
      '  esac',
      '}',
    ].join('\n');
  return [
    fn(
      `${H}_describe_subcommands`,
      'COMMAND PATH → reply: its subcommands with their descriptions.',
      all
        .filter((c) => c.subcommands.length > 0)
        .map((c) => [
          sq(c.path.join(' ')),
          c.subcommands.map((s) => entry(s.path.at(-1)!, s.description)),
        ]),
    ),
    fn(
      `${H}_describe_options`,
      'COMMAND PATH → reply: its options with their descriptions.',
      all.map((c) => [
        sq(c.path.join(' ')),
        c.options.flatMap((o) => o.flags.map((f) => entry(f, o.description))),
      ]),
    ),
  ].join('\n\n');
}

/** `foobar-infra completion zsh`. */
export function zshCompletion(root: CompletionCommand): string {
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}, generated by \`${PROGRAM} completion zsh\` from
# the CLI itself: regenerate it after an upgrade. To enable it, add to ~/.zshrc
# (after compinit):
#   source <(${PROGRAM} completion zsh)
# or save it as a file named _${PROGRAM} in a folder of $fpath.

${tables(root)}

${describeTables(root)}

${argumentLookup()}

# Completes a value of KIND.
${H}_value() {
  case "$1" in
    file) _files ;;
    dir) _files -/ ;;
    hosts)
      # A pattern: names joined by commas or colons, each may start with ! or &.
      compset -P '*[,:]'
      compset -P '[&!]'
      compadd -- \${(f)"$(${H}_hosts)"}
      ;;
    choices:*) compadd -- \${(s:,:)\${1#choices:}} ;;
  esac
}

${H}_scan() {
${scanner('2')}
}

${FN}() {
  local -a __fi_words reply
  local __fi_cmd="\${words[1]}" __fi_path="" __fi_expect="" __fi_npos=0
  local __fi_inventory="" __fi_playbook="" __fi_cur="\${words[CURRENT]}" entry kind
  # zsh counts words from 1: the program is words[1], the word under the cursor words[CURRENT].
  __fi_words=("\${words[@]}")
  ${H}_scan "$CURRENT"
  if [[ -n $__fi_expect ]]; then
    ${H}_value "$(${H}_option_value "$__fi_path|$__fi_expect")"
    return
  fi
  if [[ $__fi_cur == --*=* ]]; then
    kind="$(${H}_option_value "$__fi_path|\${__fi_cur%%=*}")"
    if [[ -n $kind ]]; then
      compset -P '*='
      ${H}_value "$kind"
    fi
    return
  fi
  if [[ $__fi_cur == -* ]]; then
    ${H}_describe_options "$__fi_path"
    _describe -t options option reply
    return
  fi
  if [[ $__fi_npos == 0 ]]; then
    ${H}_describe_subcommands "$__fi_path"
    if (( \${#reply} )); then
      _describe -t commands command reply
      return
    fi
  fi
  entry="$(${H}_argument "$__fi_npos")"
  [[ -n $entry ]] || return
  entry="\${entry#*:}"
  ${H}_value "\${entry%+}"
}

if [[ \${funcstack[1]-} == _${PROGRAM} ]]; then
  # Autoloaded from a file named _${PROGRAM} in $fpath.
  ${FN} "$@"
else
  compdef ${FN} ${PROGRAM}
fi
`;
}
