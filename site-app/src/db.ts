/**
 * The database side: reads from the LOCAL server over its unix socket; writes
 * locally when the local server is writable (the primary), otherwise through
 * the primary over TCP with the optional write account (see README.md).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import tls from 'node:tls';
import * as mysql from 'mysql2/promise';
import type { Config } from './config';

export interface Message {
  id: number;
  text: string;
  host: string;
  created_at: string;
}

export const MAX_TEXT = 200;

const CREATE_TABLE =
  'CREATE TABLE IF NOT EXISTS messages (' +
  'id BIGINT AUTO_INCREMENT PRIMARY KEY, ' +
  'text VARCHAR(200) NOT NULL, ' +
  'host VARCHAR(64) NOT NULL, ' +
  'created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP' +
  ') DEFAULT CHARSET=utf8mb4';

const ER_NO_SUCH_TABLE = 1146;

/** A write cannot be done now (replica without a write account, primary down). */
export class WriteUnavailable extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isNoSuchTable(err: unknown): boolean {
  return (err as { errno?: number } | null)?.errno === ER_NO_SUCH_TABLE;
}

/**
 * mysql2's TLS options: with a CA, the primary's chain and its address (the
 * certificate's IP or DNS name) are verified; without one, the link is
 * encrypted only. The CA file is read once, at start.
 */
function sslOptions(host: string, options: { ca?: string } | null): { ssl?: mysql.SslOptions } {
  if (!options) return {};
  if (!options.ca) return { ssl: { rejectUnauthorized: false } };
  checkAddressesAs(host);
  return {
    ssl: {
      ca: fs.readFileSync(options.ca, 'utf8'),
      rejectUnauthorized: true,
      verifyIdentity: true,
    },
  };
}

/**
 * mysql2 gives Node's TLS no name for a server reached by IP address, and
 * Node then checks the certificate against "localhost" (mysql2 issue 2177):
 * no IP address could be verified. The primary is this application's only
 * TLS peer, so that check is made against the primary's address instead.
 */
function checkAddressesAs(host: string): void {
  if (!net.isIP(host)) return;
  const check = tls.checkServerIdentity;
  tls.checkServerIdentity = (name, cert) => check(name === 'localhost' ? host : name, cert);
}

export class Database {
  private readonly local: mysql.Pool;
  private readonly primary: mysql.Pool | null;
  private readonly schemaReady = new WeakSet<mysql.Pool>();

  constructor(config: Config) {
    const common = {
      database: config.db.database,
      charset: 'utf8mb4_general_ci',
      connectionLimit: 5,
      queueLimit: 100,
      connectTimeout: 2000,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: false,
    };
    this.local = mysql.createPool({
      ...common,
      socketPath: config.db.socketPath,
      user: config.db.user,
      password: config.db.password,
    });
    this.primary = config.primary
      ? mysql.createPool({
          ...common,
          host: config.primary.host,
          port: config.primary.port,
          user: config.primary.user,
          password: config.primary.password,
          ...sslOptions(config.primary.host, config.primary.tls),
        })
      : null;
    // A pool emits 'error' only for idle connections that die: nothing to do.
    this.local.pool.on('error', () => undefined);
    this.primary?.pool.on('error', () => undefined);
  }

  /** True when the local server answers SELECT 1 within `ms`. */
  async healthy(ms = 1000): Promise<boolean> {
    try {
      await withTimeout(this.local.query({ sql: 'SELECT 1', timeout: ms }), ms, 'SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async localWritable(): Promise<boolean> {
    const [rows] = await this.local.query<mysql.RowDataPacket[]>('SELECT @@GLOBAL.read_only AS ro');
    return Number(rows[0]?.ro) === 0;
  }

  /** Creates the table where the local server is writable; a replica gets it by replication. */
  async prepare(): Promise<'created' | 'replica'> {
    if (!(await this.localWritable())) return 'replica';
    await this.ensureSchema(this.local);
    return 'created';
  }

  private async ensureSchema(pool: mysql.Pool): Promise<void> {
    if (this.schemaReady.has(pool)) return;
    await pool.query(CREATE_TABLE);
    this.schemaReady.add(pool);
  }

  async latest(limit = 20): Promise<Message[]> {
    try {
      const [rows] = await this.local.query<mysql.RowDataPacket[]>(
        'SELECT id, text, host, created_at FROM messages ORDER BY id DESC LIMIT ?',
        [limit],
      );
      return rows as Message[];
    } catch (err) {
      if (isNoSuchTable(err)) return [];
      throw err;
    }
  }

  async byId(id: number): Promise<Message | null> {
    try {
      const [rows] = await this.local.query<mysql.RowDataPacket[]>(
        'SELECT id, text, host, created_at FROM messages WHERE id = ?',
        [id],
      );
      return (rows[0] as Message | undefined) ?? null;
    } catch (err) {
      if (isNoSuchTable(err)) return null;
      throw err;
    }
  }

  /** Inserts a message where writes go; returns its id. */
  async insert(text: string, host: string): Promise<number> {
    let pool: mysql.Pool;
    if (await this.localWritable()) pool = this.local;
    else if (this.primary) pool = this.primary;
    else {
      throw new WriteUnavailable(
        'the local database is read-only and no write account (DB_WRITE_USER) is configured',
      );
    }
    try {
      await this.ensureSchema(pool);
      const [result] = await pool.execute<mysql.ResultSetHeader>(
        'INSERT INTO messages (text, host) VALUES (?, ?)',
        [text, host],
      );
      return Number(result.insertId);
    } catch (err) {
      if (pool === this.primary) {
        const code = (err as { code?: string }).code ?? 'error';
        throw new WriteUnavailable(`the primary did not take the write (${code})`);
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.local.end(), this.primary?.end()]);
  }
}
