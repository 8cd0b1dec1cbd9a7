import { z } from 'zod';
import { addressProblem, isIpPrefix, isIpv4 } from '../core/ip-family';
import { SecretRefSchema } from './secret-ref';

/**
 * Every variable the tool knows, with its type, default and meaning: the one
 * place where defaults live. README's variable table mirrors this file.
 * Variables a playbook declares in its `vars:` are allowed too; any other key
 * is an error with a "did you mean" suggestion.
 */
export interface VariableSpec {
  schema: z.ZodType;
  default?: unknown;
  doc: string;
  secret?: boolean;
}

const port = z.number().int().min(1, 'must be 1-65535').max(65535, 'must be 1-65535');
const hostOrAddress = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'not a host name or IP address')
  .superRefine(problem(addressProblem));
const ipv4 = z
  .string()
  .superRefine(
    problem((v) =>
      isIpv4(v) && !v.includes('/') ? undefined : `${v} is not a valid IPv4 address`,
    ),
  );
const ipPrefix = z
  .string()
  .superRefine(
    problem((v) => (isIpPrefix(v) ? undefined : `${v} is not an IP address or CIDR prefix`)),
  );
const absolutePath = z.string().regex(/^\//, 'must be an absolute path');
const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only');
const secret = SecretRefSchema;

export const VARIABLES = {
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

  // Site: load balancer
  domain: {
    schema: z.string().min(1),
    default: 'www.foobar.com',
    doc: 'The site name served by the load balancer and Nginx.',
  },
  lb_port: { schema: port, default: 80, doc: 'Port HAProxy listens on for users.' },
  lb_health_interval_ms: {
    schema: z.number().int().min(100),
    default: 2000,
    doc: 'HAProxy health-check interval.',
  },
  lb_health_rise: {
    schema: z.number().int().min(1),
    default: 2,
    doc: 'Checks passed before a backend is UP.',
  },
  lb_health_fall: {
    schema: z.number().int().min(1),
    default: 2,
    doc: 'Checks failed before a backend is DOWN.',
  },
  lb_maxconn: { schema: z.number().int().min(1), default: 4096, doc: 'HAProxy global maxconn.' },
  lb_runtime_api_port: {
    schema: port,
    default: 9999,
    doc: "HAProxy's read-only runtime API, on 127.0.0.1 only (read by `status`).",
  },
  lb_stats_password: {
    schema: secret,
    secret: true,
    doc: "Password of HAProxy's statistics page; the page is on (private_address:lb_stats_port, admin sources only) when set.",
  },
  lb_stats_user: { schema: name, default: 'stats', doc: "User of HAProxy's statistics page." },
  lb_stats_port: {
    schema: port,
    default: 8404,
    doc: "Port of HAProxy's statistics page, on the lb's private address.",
  },
  lb_virtual_ip: {
    schema: ipv4,
    doc: 'With two or more load balancers: the address users reach, held by one of them (keepalived, VRRP).',
  },
  lb_vrrp_interface: {
    schema: z.string().regex(/^[A-Za-z0-9_.@-]{1,15}$/, 'a network interface name'),
    doc: "The load balancers' interface that carries lb_virtual_ip (and their VRRP adverts).",
  },
  lb_vrrp_router_id: {
    schema: z.number().int().min(1).max(255),
    default: 51,
    doc: 'VRRP virtual router id, unique on the network segment.',
  },
  lb_tls: {
    schema: z.boolean(),
    default: true,
    doc: 'HTTPS at the load balancer (lb_port then redirects to it). Needs lb_tls_certificate and lb_tls_key.',
  },
  lb_https_port: { schema: port, default: 443, doc: 'Port HAProxy terminates TLS on.' },
  lb_tls_certificate: {
    schema: secret,
    secret: true,
    doc: 'PEM certificate chain of the site (leaf first), as a file or env reference.',
  },
  lb_tls_key: { schema: secret, secret: true, doc: 'PEM private key of the site certificate.' },
  lb_tls_profile: {
    schema: z.enum(['intermediate', 'modern']),
    default: 'intermediate',
    doc: 'Mozilla Server Side TLS profile (v5.7): intermediate (TLS 1.2 and 1.3) or modern (TLS 1.3 only).',
  },
  lb_max_request_bytes: {
    schema: z.number().int().min(1024),
    default: 65536,
    doc: 'Largest request body the load balancer and Nginx accept: 413 beyond it.',
  },
  lb_client_requests_per_10s: {
    schema: z.number().int().min(1),
    default: 200,
    doc: 'Requests one client address may make in 10 s before it gets 429 (firewall_admin_sources are not limited).',
  },
  lb_client_connections: {
    schema: z.number().int().min(1),
    default: 50,
    doc: 'Connections one client address may hold at once before it gets 429 (firewall_admin_sources are not limited).',
  },
  lb_content_security_policy: {
    schema: z.string().regex(/^[^"\n]+$/, 'one line without double quotes'),
    default:
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    doc: 'The Content-Security-Policy header of every response (the default fits the site: its own styles and forms, no scripts, no frames).',
  },
  lb_hsts_max_age: {
    schema: z.number().int().min(0),
    default: 63072000,
    doc: 'Strict-Transport-Security max-age in seconds (two years; 0 turns HSTS off).',
  },

  // Site: web hosts
  private_address: {
    schema: hostOrAddress,
    doc: 'Address other hosts use to reach this one (default: address).',
  },
  web_port: { schema: port, default: 80, doc: 'Port Nginx listens on (the HAProxy backends).' },
  health_path: {
    schema: z.string().regex(/^\//, 'must start with /'),
    default: '/healthz',
    doc: 'Health URL checked by HAProxy.',
  },
  static_root: {
    schema: absolutePath,
    default: '/var/www/foobar',
    doc: 'Folder Nginx serves static files from.',
  },
  nginx_status_port: {
    schema: port,
    default: 8081,
    doc: "Port of Nginx's stub_status (/nginx_status), on 127.0.0.1 only.",
  },
  app_port: {
    schema: port,
    default: 3000,
    doc: 'Port the application server listens on (localhost).',
  },
  app_user: { schema: name, default: 'foobar', doc: 'System user the application runs as.' },
  app_dir: {
    schema: absolutePath,
    default: '/opt/foobar',
    doc: 'Where the code base is deployed.',
  },
  app_service: {
    schema: z.string().regex(/^[A-Za-z0-9@._-]+$/),
    default: 'foobar-app',
    doc: 'systemd unit name of the application.',
  },

  // Firewall
  firewall: {
    schema: z.boolean(),
    default: true,
    doc: 'An nftables firewall per role on the lb and web hosts. Needs firewall_admin_sources.',
  },
  firewall_admin_sources: {
    schema: z.array(ipPrefix).min(1, 'list at least one address or prefix'),
    doc: 'Addresses or prefixes (CIDR) allowed to reach SSH on every firewalled host.',
  },
  firewall_confirm_timeout: {
    schema: z.number().int().min(5).max(3600),
    default: 60,
    doc: 'Seconds after which a new ruleset reverts by itself unless the tool confirms it over a new SSH connection.',
  },
  firewall_log_rate: {
    schema: z.string().regex(/^\d+\/(second|minute|hour)$/, 'like 10/minute'),
    default: '10/minute',
    doc: 'Rate limit of the log lines for dropped packets.',
  },

  // MySQL
  mysql_flavor: {
    schema: z.enum(['mysql', 'mariadb']),
    default: 'mysql',
    doc: 'Database server package family: mysql (MySQL 8.0.23+/9.x) or mariadb.',
  },
  mysql_server_core_package: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9+.-]+$/, 'not a Debian package name'),
    default: 'mysql-server-core',
    doc: "MySQL's server programs without the server package's set-up, installed before the tool initialises the data directory: mysql-server-core (Debian), mysql-community-server-core (MySQL's own APT repository).",
  },
  mysql_role: {
    schema: z.enum(['primary', 'replica', 'none']),
    default: 'none',
    doc: 'primary, replica or none.',
  },
  mysql_source: {
    schema: z.string().min(1),
    doc: 'For a replica: the inventory name of its source host.',
  },
  server_id: {
    schema: z.number().int().min(1, 'must be 1 or more').max(4294967295),
    doc: 'MySQL server_id, unique and non-zero.',
  },
  mysql_port: { schema: port, default: 3306, doc: 'MySQL port.' },
  mysql_database: { schema: name, default: 'foobar', doc: 'The application database.' },
  mysql_app_user: { schema: name, default: 'foobar', doc: 'The application database user.' },
  mysql_app_password: { schema: secret, secret: true, doc: 'Password of the application user.' },
  mysql_replication_user: {
    schema: name,
    default: 'repl',
    doc: 'Replication user on the primary.',
  },
  mysql_replication_password: {
    schema: secret,
    secret: true,
    doc: 'Password of the replication user.',
  },
  mysql_root_password: {
    schema: secret,
    secret: true,
    doc: 'Password of the database admin account.',
  },
  mysql_monitor_user: {
    schema: name,
    default: 'monitor',
    doc: 'Monitoring user (e.g. for mysqld_exporter), local only, least privilege.',
  },
  mysql_monitor_password: {
    schema: secret,
    secret: true,
    doc: 'Password of the monitoring user; the user exists when set.',
  },
  secret_fingerprint_key: {
    schema: secret,
    secret: true,
    doc: 'Key of the password fingerprints recorded on the hosts (HMAC): without it, a fingerprint read off a host can be checked against guesses offline. Keep it on the controller or in the vault; changing it re-sets every password once.',
  },
  mysql_tls: {
    schema: z.boolean(),
    default: true,
    doc: 'TLS on the database servers; replication then requires it (REQUIRE SSL, SOURCE_SSL=1).',
  },
  mysql_tls_certificate: {
    schema: secret,
    secret: true,
    doc: 'PEM certificate of this database server (its private_address in the subject alternative names).',
  },
  mysql_tls_key: { schema: secret, secret: true, doc: 'PEM private key of the database server.' },
  mysql_tls_ca: {
    schema: secret,
    secret: true,
    doc: "PEM CA that signed the database certificates: replicas then verify the source's certificate.",
  },
  mysql_innodb_buffer_pool_size: {
    schema: z.string().regex(/^\d+[KMG]?$/),
    default: '128M',
    doc: 'innodb_buffer_pool_size.',
  },
} satisfies Record<string, VariableSpec>;

/** A zod refinement from a function that names what is wrong with a value. */
function problem(check: (value: string) => string | undefined) {
  return (value: string, ctx: z.RefinementCtx) => {
    const message = check(value);
    if (message) ctx.addIssue({ code: 'custom', message });
  };
}

export type KnownVariable = keyof typeof VARIABLES;

/** Ansible's connection variable names, accepted as aliases so existing inventories load. */
export const ALIASES: Record<string, KnownVariable> = {
  ansible_host: 'address',
  ansible_user: 'ssh_user',
  ansible_port: 'ssh_port',
  ansible_ssh_private_key_file: 'ssh_key',
  ansible_become: 'become',
  ansible_become_password: 'become_password',
};

export function isKnownVariable(key: string): key is KnownVariable {
  return Object.prototype.hasOwnProperty.call(VARIABLES, key);
}

export function defaultVariables(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(VARIABLES) as [string, VariableSpec][]) {
    if (spec.default !== undefined) out[key] = spec.default;
  }
  return out;
}

export function isSecretVariable(key: string): boolean {
  return isKnownVariable(key) && (VARIABLES[key] as VariableSpec).secret === true;
}
