/**
 * The application's settings, read once from the environment (systemd's
 * EnvironmentFile={{app_dir}}/app.env). The passwords are kept here and never
 * printed: describeConfig() is what the logs show.
 */
export interface Config {
  port: number;
  host: string;
  hostname: string;
  db: {
    socketPath: string;
    database: string;
    user: string;
    password: string;
  };
  /** Where writes go when the local server is read-only (a replica). */
  primary: {
    host: string;
    port: number;
    user: string;
    password: string;
    /**
     * TLS to the primary (DB_PRIMARY_TLS=1): with a CA file (DB_PRIMARY_CA),
     * its certificate and address are verified against it.
     */
    tls: { ca?: string } | null;
  } | null;
}

export class ConfigError extends Error {}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigError(`${name} is not set`);
  return value;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new ConfigError(`${name} must be a port number, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function tlsOf(env: NodeJS.ProcessEnv): { ca?: string } | null {
  const on = env.DB_PRIMARY_TLS ?? '';
  if (on !== '' && on !== '0' && on !== '1')
    throw new ConfigError(`DB_PRIMARY_TLS must be 0 or 1, got ${JSON.stringify(on)}`);
  const ca = env.DB_PRIMARY_CA ?? '';
  if (ca !== '' && on !== '1') throw new ConfigError('DB_PRIMARY_CA needs DB_PRIMARY_TLS=1');
  if (on !== '1') return null;
  return ca === '' ? {} : { ca };
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const writeUser = env.DB_WRITE_USER ?? '';
  const writePassword = env.DB_WRITE_PASSWORD ?? '';
  if ((writeUser === '') !== (writePassword === '')) {
    throw new ConfigError('DB_WRITE_USER and DB_WRITE_PASSWORD must be set together');
  }
  const primary =
    writeUser === ''
      ? null
      : {
          host: required(env, 'DB_PRIMARY_HOST'),
          port: port(env, 'DB_PRIMARY_PORT', 3306),
          user: writeUser,
          password: writePassword,
          tls: tlsOf(env),
        };
  return {
    port: port(env, 'APP_PORT', 3000),
    host: env.APP_HOST || '127.0.0.1',
    hostname: env.APP_HOSTNAME || 'unknown',
    db: {
      socketPath: env.DB_SOCKET || '/run/mysqld/mysqld.sock',
      database: env.DB_NAME || 'foobar',
      user: required(env, 'DB_USER'),
      password: env.DB_PASSWORD ?? '',
    },
    primary,
  };
}

function tlsText(tls: { ca?: string } | null): string {
  if (!tls) return ' (no TLS)';
  return tls.ca ? ` (TLS, verified against ${tls.ca})` : ' (TLS, not verified)';
}

/** The settings as a log line: no password. */
export function describeConfig(config: Config): string {
  const writes = config.primary
    ? `local socket when writable, else ${config.primary.user}@${config.primary.host}:${config.primary.port}${tlsText(config.primary.tls)}`
    : 'local socket only';
  return (
    `host=${config.hostname} listen=${config.host}:${config.port} ` +
    `db=${config.db.user}@${config.db.socketPath}/${config.db.database} writes=${writes}`
  );
}
