import { z } from 'zod';
import { absolutePath, fileMode, userName, wholeNumber } from './arg-types';
import { planFile } from './file-plan';
import type { ModuleDefinition, PeerFacts } from './module';
import { PlanError } from './plan-error';
import { HEADER, parsePublicKey } from './ssh-lines';

/** Where Debian's sshd keeps its host keys (the ones it makes at install). */
export const HOST_KEYS = ['ed25519', 'ecdsa', 'rsa'].map((t) => `/etc/ssh/ssh_host_${t}_key.pub`);

export const knownHostsArgs = z.strictObject({
  path: absolutePath.describe('The known_hosts file, written whole (the tool owns it).'),
  host: z.string().min(1).describe('The inventory host whose SSH host keys are read.'),
  address: z.string().min(1).describe('The name or address the client connects to.'),
  port: wholeNumber('the SSH port is a number').default(22).describe('The port it connects to.'),
  owner: userName.optional().describe('Owner (default root).'),
  mode: fileMode.default('0644').describe('The file mode.'),
});

export type KnownHostsArgs = z.infer<typeof knownHostsArgs>;

/**
 * A known_hosts file with the host keys read on another host of the
 * inventory over the run's connection (itself checked against the
 * controller's known_hosts): a client on one host trusts the other from
 * the first connection, with no key accepted blindly.
 */
export const knownHostsModule: ModuleDefinition<KnownHostsArgs> = {
  name: 'known_hosts',
  summary:
    "Write a known_hosts file with another inventory host's SSH host keys, read on that host over the run's connection.",
  args: knownHostsArgs,
  docs: {
    reads: ['file'],
    dryRun:
      'Reads the host keys on their host and reports a create or an update when the file differs.',
    example: {
      name: "The copy host's SSH host keys, for the backup jobs",
      args: {
        path: '/etc/foobar-backup.known_hosts',
        host: 'lb-01',
        address: '10.0.0.10',
        port: 22,
      },
    },
  },
  facts: (args) => [{ kind: 'file', path: args.path }],
  peers: (args) => [
    { host: args.host, requests: HOST_KEYS.map((path) => ({ kind: 'content' as const, path })) },
  ],
  plan(args, facts, _ctx, peers) {
    return planFile(
      {
        path: args.path,
        content: Buffer.from(HEADER + hostKeyLines(args, peers).join('')),
        owner: args.owner ?? 'root',
        group: args.owner ?? 'root',
        mode: args.mode,
      },
      facts.file(args.path),
    );
  },
};

function hostKeyLines(args: KnownHostsArgs, peers: PeerFacts | undefined): string[] {
  const port = Number(args.port);
  const name = port === 22 ? args.address : `[${args.address}]:${port}`;
  const lines: string[] = [];
  for (const path of HOST_KEYS) {
    const text = peers?.get(args.host)?.content(path);
    const key = text === undefined ? undefined : parsePublicKey(text);
    if (key) lines.push(`${name} ${key.type} ${key.key}\n`);
  }
  if (lines.length === 0)
    throw new PlanError(`${args.host} has no SSH host key in ${HOST_KEYS.join(', ')}`);
  return lines;
}
