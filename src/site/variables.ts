/**
 * The site's variables (www.foobar.com: HAProxy, Nginx, the application,
 * the firewall, MySQL), with their type, default and meaning: the one place
 * where the site's defaults live, beside the connection's. README's variable
 * table mirrors this file.
 */
import { z } from 'zod';
import {
  CONNECTION_VARIABLES,
  absolutePath,
  hostOrAddress,
  ipPrefix,
  ipv4,
  name,
  port,
  secret,
  type VariableSpec,
  type VariableTable,
} from '../inventory/variables';
import { MONITORING_VARIABLES } from './variables-monitoring';

/** A systemd calendar expression (OnCalendar=): daily, weekly, *-*-* 03:00:00 and the like. */
const calendar = z
  .string()
  .regex(
    /^[A-Za-z0-9*:,./~ -]{1,100}$/,
    'a systemd calendar expression (OnCalendar), like daily or *-*-* 03:00:00',
  );

/** A systemd time span: 15min, 1h 30min, 2d. */
const timeSpan = z
  .string()
  .regex(/^(\d+ ?(s|sec|m|min|h|hr|d|w) ?)+$/, 'a systemd time span, like 15min, 26h or 2d');

/** A system user name. */
const systemUser = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a system user name');

const SITE_ONLY = {
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
    defaultFrom: 'address',
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
    doc: 'The application folder: its releases (`releases/<id>`), the `current` link to the one running, and its environment file.',
  },
  releases_keep: {
    schema: z.number().int().min(2),
    default: 5,
    doc: 'Releases of the code base kept on each web host; the current and the previous one are always among them.',
  },
  app_migrate_command: {
    schema: z.string(),
    default: '',
    doc: "A shell command run once per deploy of a new release (a database migration): on the first web host, in the new release's folder, as the application's user with its environment, before `current` switches to it; a failure stops the rollout. Empty: none.",
  },
  rollout_health_timeout: {
    schema: z.number().positive().max(3600),
    default: 30,
    doc: 'Seconds a web host has, after a deploy, to answer its health URL and be seen UP by HAProxy (and to drain before it): past it, the rollout switches it back to the previous release and stops.',
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

  // Database backups (on the replica)
  backups: {
    schema: z.boolean(),
    default: true,
    doc: 'Scheduled dumps of the application database, binary logs archived for point-in-time recovery, each dump verified by a restore. Taken on the replica (or backup_host).',
  },
  backup_host: {
    schema: z.string().min(1),
    doc: 'The database host that takes the backups (inventory name); default: every replica.',
  },
  backup_user: {
    schema: systemUser,
    default: 'foobar-backup',
    doc: "The system user that takes the backups and owns them; the database account of the same name logs in over the server's socket (no password).",
  },
  backup_dir: {
    schema: absolutePath,
    default: '/var/backups/foobar-mysql',
    doc: 'Where the dumps and archived binary logs are kept (a mounted volume may be given).',
  },
  backup_schedule: {
    schema: calendar,
    default: 'daily',
    doc: 'When a dump is taken (systemd OnCalendar), then verified and the old ones pruned.',
  },
  backup_keep_daily: {
    schema: z.number().int().min(1).max(1000),
    default: 7,
    doc: 'Dumps kept (the newest ones); the newest verified dump is always kept too, and the binary logs needed from the oldest kept dump on.',
  },
  backup_binlog_interval: {
    schema: timeSpan,
    default: '15min',
    doc: 'How often the binary logs are archived (systemd time span): the data a lost server takes with it is bounded by it.',
  },
  backup_verify_schedule: {
    schema: calendar,
    default: 'weekly',
    doc: 'When the newest dump is restored into a scratch server and checked again (each dump is also checked once it is taken).',
  },
  backup_encryption_key: {
    schema: secret,
    secret: true,
    doc: 'When set, every dump and archived binary log is encrypted at rest with this key (openssl AES-256-CBC, PBKDF2); give a long random string (e.g. `openssl rand -base64 48`) from the vault. Kept on the backup host (0400, the backup user), which verifies and restores. Keep a copy elsewhere: the backups are unreadable without it.',
  },
  backup_copy_host: {
    schema: z.string().min(1),
    doc: "A host of the inventory (not a backup host) that keeps a copy of every backup host's dumps and archived binary logs, sent over SSH after each dump and each archive; each backup host's key can write only into its own folder there.",
  },
  backup_copy_dir: {
    schema: absolutePath,
    default: '/var/backups/foobar-mysql-copies',
    doc: "On backup_copy_host: where the copies are kept, in hosts/<backup host> (the folder itself is root's: the copy user's home).",
  },
  backup_copy_keep_daily: {
    schema: z.number().int().min(1),
    default: 14,
    doc: "On backup_copy_host: dumps kept of each backup host (its newest verified one always too), and the binary logs from the oldest kept one's on; the backup hosts cannot delete there.",
  },
  backup_copy_user: {
    schema: systemUser,
    default: 'foobar-backup-copy',
    doc: 'On backup_copy_host: the system user the backup hosts log in as (key only, from their private address, confined to their folder by rrsync) and who owns the copies.',
  },
  backup_max_age: {
    schema: timeSpan,
    default: '26h',
    doc: '`status` is degraded when the newest verified dump is older than this (systemd time span).',
  },
  ...MONITORING_VARIABLES,
} satisfies Record<string, VariableSpec>;

/** Every variable a site inventory may set: the connection's and the site's. */
export const SITE_VARIABLES: VariableTable = { ...CONNECTION_VARIABLES, ...SITE_ONLY };
