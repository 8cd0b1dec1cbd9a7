import type { Argument, Command, Option } from 'commander';
import {
  bashCompletion,
  zshCompletion,
  type CompletionCommand,
  type ValueKind,
} from '../completion-script';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';

/** `completion bash|zsh`: the completion script of this very CLI, on stdout. */
export async function runCompletion(
  shell: 'bash' | 'zsh',
  program: Command,
  io: Io,
): Promise<number> {
  const spec = completionSpec(program);
  io.out(shell === 'bash' ? bashCompletion(spec) : zshCompletion(spec));
  return ExitCode.OK;
}

/**
 * The command tree as help shows it (commands, subcommands, options with and
 * without values, arguments): the completion cannot drift from the CLI.
 */
export function completionSpec(program: Command): CompletionCommand {
  const walk = (cmd: Command, path: string[], siblings: string[]): CompletionCommand => {
    const help = cmd.createHelp();
    const subs = help.visibleCommands(cmd);
    return {
      path,
      description: cmd.description(),
      options: help.visibleOptions(cmd).map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
        description: o.description,
        value: o.required || o.optional ? optionValue(o) : undefined,
        optionalValue: o.optional,
      })),
      arguments: cmd.registeredArguments.map((a) => ({
        name: a.name(),
        variadic: a.variadic,
        // `help [command]`: the commands beside it.
        value:
          path.at(-1) === 'help' && a.name() === 'command'
            ? { kind: 'choices', choices: siblings }
            : argumentValue(a),
      })),
      subcommands: subs.map((s) =>
        walk(
          s,
          [...path, s.name()],
          subs.map((c) => c.name()),
        ),
      ),
    };
  };
  return walk(program, [], []);
}

/**
 * What an option's value completes to, from how the CLI declares it: its
 * choices, else the name in its `<placeholder>`: `<file>` files, `<dir>`
 * folders, `<pattern>` (--limit) host and group names; anything else is free.
 */
function optionValue(o: Option): ValueKind {
  if (o.argChoices?.length) return { kind: 'choices', choices: o.argChoices };
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1];
  return kindOf(placeholder);
}

function argumentValue(a: Argument): ValueKind {
  if (a.argChoices?.length) return { kind: 'choices', choices: a.argChoices };
  return kindOf(a.name());
}

function kindOf(name: string | undefined): ValueKind {
  switch (name) {
    case 'file':
    case 'playbook':
      return { kind: 'file' };
    case 'dir':
      return { kind: 'dir' };
    case 'pattern':
      return { kind: 'hosts' };
    default:
      return { kind: 'any' };
  }
}
