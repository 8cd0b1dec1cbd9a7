/**
 * Entry point: `node server.js` under systemd, settings from the environment.
 * Logs one line per request to stdout (journald); shuts down gracefully on
 * SIGTERM: stop accepting, let in-flight requests finish, close the pools.
 */
import { createServer, ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from './config';
import { Database } from './db';
import { handle } from './app';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

function log(line: string): void {
  process.stdout.write(line + '\n');
}

function loadStatic(dir: string): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) files.set(name, { body: readFileSync(join(dir, name)), type });
  }
  return files;
}

function readVersion(): string {
  try {
    return readFileSync(join(__dirname, 'VERSION'), 'utf8').trim();
  } catch {
    return 'dev';
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`foobar-site: ${err.message}\n`);
      process.exit(78); // EX_CONFIG: systemd shows it; a restart will not help
    }
    throw err;
  }
  const db = new Database(config);
  const opts = {
    hostname: config.hostname,
    version: readVersion(),
    db,
    staticFiles: loadStatic(join(__dirname, 'static')),
  };
  log(`foobar-site ${opts.version} starting: ${describeConfig(config)}`);

  try {
    const role = await db.prepare();
    log(
      role === 'created' ? 'schema: messages table ready' : 'schema: replica, left to replication',
    );
  } catch (err) {
    // The app still starts: /healthz answers 503 until the database is back,
    // and the table is created on the first write.
    log(`schema: database not ready (${(err as Error).message})`);
  }

  let stopping = false;
  const inFlight = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    res.setHeader('X-Served-By', config.hostname);
    if (stopping) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.on('close', () => {
      inFlight.delete(res);
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The client's address as Nginx, which believes the load balancers only,
      // gives it (the app listens on localhost, behind Nginx).
      const from = req.headers['x-real-ip'] ?? req.socket.remoteAddress ?? '-';
      log(`${from} "${req.method} ${req.url}" ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
    handle(opts, req, res).catch((err: Error & { code?: string }) => {
      log(`error: ${req.method} ${req.url}: ${err.code ?? ''} ${err.message}`);
      if (!res.headersSent) {
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('database unavailable\n');
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;

  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: no new connections, finishing in-flight requests`);
    const force = setTimeout(() => {
      log('shutdown: requests still open after 10 s, exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close(() => {
      db.close().finally(() => {
        log('shutdown: done');
        process.exit(0);
      });
    });
    // Keep-alive connections close once their current response is sent.
    for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  server.on('error', (err) => {
    log(`listen failed: ${err.message}`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    log(`listening on ${config.host}:${config.port}`);
  });
}

void main();
