import { z } from 'zod';
import { absolutePath, fileMode, userName } from './arg-types';
import { planFile } from './file-plan';
import type { ModuleDefinition, PeerFacts } from './module';
import { PlanError } from './plan-error';
import { HEADER, hostList, parsePublicKey } from './ssh-lines';

export const authorizedKeysArgs = z.strictObject({
  path: absolutePath.describe('The authorized_keys file, written whole (the tool owns it).'),
  owner: userName.describe(
    'Owner of the file: root (the account cannot change its keys), or the account that logs in with them.',
  ),
  mode: fileMode.default('0600').describe('The file mode.'),
  keys_from: z
    .union([z.string(), z.array(z.string())])
    .describe(
      'The inventory hosts whose public key is authorized: a list, or one string (commas or spaces); empty authorizes none.',
    ),
  key_path: absolutePath.describe(
    'The public key file on each of those hosts (made by an earlier play, e.g. with ssh-keygen).',
  ),
  options: z
    .string()
    .default('')
    .describe(
      'The options before each key (e.g. restrict,command="..."); %h becomes the name of the key\'s host, %{var} that host\'s variable (e.g. from="%{private_address}").',
    ),
});

export type AuthorizedKeysArgs = z.infer<typeof authorizedKeysArgs>;

/**
 * An authorized_keys file made of public keys read on other hosts of the
 * inventory over the run's connections: one host's account logs in to this
 * one (a backup copied over SSH) with no key handed around by hand.
 */
export const authorizedKeysModule: ModuleDefinition<AuthorizedKeysArgs> = {
  name: 'authorized_keys',
  summary:
    "Write an account's authorized_keys from public keys read on other hosts of the inventory, each with its options.",
  args: authorizedKeysArgs,
  docs: {
    reads: ['file'],
    dryRun:
      'Reads each public key on its host and reports a create or an update when the file differs; a key that an earlier task of the same run will make is reported as depending on it.',
    example: {
      name: "The backup hosts' keys, each confined to its own folder",
      args: {
        path: '/var/backups/copies/.ssh/authorized_keys',
        owner: 'foobar-backup',
        keys_from: 'web-02',
        key_path: '/var/backups/foobar-mysql/.ssh/id_ed25519.pub',
        options: 'restrict,command="rrsync -wo /var/backups/copies/%h"',
      },
    },
  },
  facts: (args) => [{ kind: 'file', path: args.path }],
  peers: (args) =>
    hostList(args.keys_from).map((host) => ({
      host,
      requests: [{ kind: 'content', path: args.key_path }],
    })),
  plan(args, facts, ctx, peers) {
    const lines = keyLines(args, peers, (host, name) => hostVariable(ctx.vars, host, name));
    if (typeof lines === 'string') return [{ kind: 'deferred', reason: lines }];
    return planFile(
      {
        path: args.path,
        content: Buffer.from(HEADER + lines.join('')),
        owner: args.owner,
        group: args.owner,
        mode: args.mode,
      },
      facts.file(args.path),
    );
  },
};

/** A variable of another host of the inventory, as templates see it (hostvars). */
function hostVariable(vars: Record<string, unknown>, host: string, name: string): string {
  const view = (vars.hostvars as Record<string, Record<string, unknown>> | undefined)?.[host];
  const value = view?.[name];
  if (value === undefined || value === null || typeof value === 'object')
    throw new PlanError(`options: %{${name}} is not a variable of ${host}`);
  return String(value);
}

/** One line per host, or why a key is not there yet (made later in a dry run). */
function keyLines(
  args: AuthorizedKeysArgs,
  peers: PeerFacts | undefined,
  variable: (host: string, name: string) => string,
): string[] | string {
  const lines: string[] = [];
  for (const host of hostList(args.keys_from)) {
    const text = peers?.get(host)?.content(args.key_path);
    if (text === undefined)
      return `no ${args.key_path} on ${host} yet: an earlier task makes it (not yet run in a dry run; failed or not run there in apply)`;
    const key = parsePublicKey(text);
    if (!key) throw new PlanError(`${args.key_path} on ${host} holds no SSH public key`);
    const options = args.options
      .replaceAll('%h', host)
      .replace(/%\{(\w+)\}/g, (_m, name: string) => variable(host, name));
    if (/[\n\r]/.test(options)) throw new PlanError('options: one line only');
    lines.push(`${options ? `${options} ` : ''}${key.type} ${key.key} ${host}\n`);
  }
  return lines;
}
