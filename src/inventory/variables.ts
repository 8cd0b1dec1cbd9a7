import { z } from 'zod';
import { addressProblem, isIpPrefix, isIpv4 } from '../core/ip-family';
import { SecretRefSchema } from './secret-ref';

/**
 * The variables an inventory's loader knows, with their type, default and
 * meaning: the connection's here (every inventory has them), a site's in its
 * own table (src/site/variables.ts), given to the loader. Variables a
 * playbook declares in its `vars:` are allowed too; a near miss of a known
 * name is an error with a "did you mean" suggestion; any other name is the
 * operator's own, kept as it is (as Ansible keeps it).
 */
export interface VariableSpec {
  schema: z.ZodType;
  default?: unknown;
  /** Unset, it takes this other variable's value (merged first); refused with it. */
  defaultFrom?: string;
  doc: string;
  secret?: boolean;
}

export const port = z.number().int().min(1, 'must be 1-65535').max(65535, 'must be 1-65535');
export const hostOrAddress = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'not a host name or IP address')
  .superRefine(problem(addressProblem));
export const ipv4 = z
  .string()
  .superRefine(
    problem((v) =>
      isIpv4(v) && !v.includes('/') ? undefined : `${v} is not a valid IPv4 address`,
    ),
  );
export const ipPrefix = z
  .string()
  .superRefine(
    problem((v) => (isIpPrefix(v) ? undefined : `${v} is not an IP address or CIDR prefix`)),
  );
export const absolutePath = z.string().regex(/^\//, 'must be an absolute path');
export const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only');
export const secret = SecretRefSchema;

/** The connection: how the tool reaches a host, and its secrets. */
export const CONNECTION_VARIABLES = {
  // Connection
  address: {
    schema: hostOrAddress,
    doc: 'Address or DNS name SSH connects to (default: the host name).',
  },
  ssh_user: { schema: z.string().min(1), default: 'root', doc: 'SSH login user.' },
  ssh_port: { schema: port, default: 22, doc: 'SSH port.' },
  ssh_key: {
    schema: z.string().min(1),
    doc: 'Private key file (else ssh-agent and ~/.ssh/config).',
  },
  ssh_known_hosts: {
    schema: z.string().min(1),
    doc: 'known_hosts file used for strict host-key checking (default ~/.ssh/known_hosts).',
  },
  ssh_proxy_jump: { schema: z.string().min(1), doc: 'A jump host, user@host[:port].' },
  ssh_connect_timeout: {
    schema: z.number().positive(),
    default: 10,
    doc: 'Seconds to wait for the SSH handshake.',
  },
  become: { schema: z.boolean(), default: false, doc: 'Run remote commands as root through sudo.' },
  become_password: { schema: secret, secret: true, doc: 'sudo password (sent on stdin only).' },

  // Secrets
  vault_file: {
    schema: z.string().min(1),
    doc: "The vault (`foobar-infra vault create`) that `{ vault: NAME }` references of this host read; relative to the inventory's folder.",
  },
} satisfies Record<string, VariableSpec>;

/** A zod refinement from a function that names what is wrong with a value. */
export function problem(check: (value: string) => string | undefined) {
  return (value: string, ctx: z.RefinementCtx) => {
    const message = check(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  };
}

/** Known variables by name: the connection's, and a site's. */
export type VariableTable = Readonly<Record<string, VariableSpec>>;

/** What the names of an inventory's variables may mean: the tool's table, and the playbook's own. */
export interface Vocabulary {
  variables: VariableTable;
  /** Variables the playbook declares: allowed besides the table's. */
  declared: ReadonlySet<string>;
}

type ConnectionVariable = keyof typeof CONNECTION_VARIABLES;

/** Ansible's connection variable names, accepted as aliases so existing inventories load. */
export const ALIASES: Record<string, ConnectionVariable> = {
  ansible_host: 'address',
  ansible_user: 'ssh_user',
  ansible_port: 'ssh_port',
  ansible_ssh_private_key_file: 'ssh_key',
  ansible_become: 'become',
  ansible_become_password: 'become_password',
};

export function isKnownVariable(table: VariableTable, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

/** The fixed defaults of a table (those taken from another variable are applied after the merge). */
export function defaultVariables(table: VariableTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    if (spec.default !== undefined) out[key] = spec.default;
  }
  return out;
}
