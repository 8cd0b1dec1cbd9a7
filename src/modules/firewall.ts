import { z } from 'zod';
import { checkSshReach } from '../firewall/ssh-reach';
import { absolutePath, fileAttributes, wholeNumber } from './arg-types';
import { planFile } from './file-plan';
import type { DesiredFile, ModuleContext, ModuleDefinition } from './module';
import { PlanError } from './plan-error';

export const firewallArgs = z.strictObject({
  src: z.string().min(1).describe('nftables ruleset template, relative to templates/.'),
  dest: absolutePath
    .default('/etc/nftables.conf')
    .describe('The ruleset file the host loads at boot (nftables.service).'),
  ...fileAttributes,
  mode: fileAttributes.mode.describe('Mode of the ruleset file; "0755" when not given.'),
  revert_after: wholeNumber('a number of seconds')
    .default(60)
    .describe(
      'Seconds (5 to 3600) after loading after which the host restores its previous ruleset, unless the tool confirmed the new one over a new SSH connection.',
    ),
  ssh_port: wholeNumber('a port number')
    .default(22)
    .describe('The SSH port the ruleset must keep open to the controller.'),
});

export type FirewallArgs = z.infer<typeof firewallArgs>;

/**
 * An nftables ruleset that never locks the tool out:
 * - at plan time (apply and diff), the rendered ruleset must provably accept
 *   this run's SSH traffic, new and established, from the address the host
 *   sees the controller connect from; else the task is refused;
 * - `nft -c -f` checks the candidate, then `nft -f` loads it in one
 *   transaction, with a timer armed that restores the previous ruleset;
 * - a new SSH connection confirms it, and only then does it become the file
 *   loaded at boot.
 */
export const firewallModule: ModuleDefinition<FirewallArgs> = {
  name: 'firewall',
  summary:
    'Load an nftables ruleset atomically, refusing one that blocks SSH, with a confirm-or-revert timer.',
  args: firewallArgs,
  docs: {
    reads: ['file', 'ssh_client'],
    dryRun:
      "Renders the ruleset and refuses it, in a dry run as in apply, when it would or might block this run's SSH connection. Otherwise reports the update; the candidate is checked with `nft -c -f` on the host. Nothing is loaded.",
    example: {
      name: "The firewall of the host's roles",
      args: { src: 'nftables.conf.hbs', revert_after: 60, ssh_port: '{{ssh_port}}' },
    },
  },
  files: (args, ctx) => [ruleset(args, ctx)],
  facts: (args) => [{ kind: 'file', path: args.dest }, { kind: 'ssh_client' }],
  plan(args, facts, ctx) {
    const want = ruleset(args, ctx);
    const text = want.content.toString('utf8');
    const revertAfter = Number(args.revert_after);
    if (!Number.isInteger(revertAfter) || revertAfter < 5 || revertAfter > 3600)
      throw new PlanError(`revert_after must be 5-3600 seconds, not ${String(args.revert_after)}`);
    const client = facts.sshClient();
    if (!client)
      throw new PlanError(
        'cannot tell the address this run connects from (SSH_CONNECTION is not set on the host): refusing to load a ruleset that might block it',
      );
    const sshPort = Number(args.ssh_port);
    for (const port of new Set([sshPort, client.serverPort])) {
      const reach = checkSshReach(text, { source: client.address, port });
      if (!reach.ok)
        throw new PlanError(
          `refused: the rendered ruleset (${args.src}) would ${reach.certain ? 'block' : 'possibly block'} this run's SSH connection (from ${client.address} to port ${port}): ${reach.reason}`,
        );
    }
    const changes = planFile(
      {
        ...want,
        validate: 'nft -c -f %s',
        secret: ctx.containsSecret(text),
      },
      facts.file(args.dest),
    );
    return changes.map((c) =>
      c.kind === 'write'
        ? { ...c, activate: { kind: 'nftables', revertAfterSeconds: revertAfter } }
        : c,
    );
  },
};

/** The wanted state, declared once: the ruleset rendered for the host, with its attributes. */
function ruleset(args: FirewallArgs, ctx: ModuleContext): DesiredFile {
  return {
    path: args.dest,
    content: Buffer.from(ctx.templates.renderFile(args.src, ctx.vars, ctx.host)),
    mode: args.mode ?? '0755',
    owner: args.owner,
    group: args.group,
  };
}
