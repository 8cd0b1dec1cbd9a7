/**
 * HTTP routes. Every response carries X-Served-By; every request is logged as
 * one line by server.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Database, MAX_TEXT, Message, WriteUnavailable } from './db';

export interface AppOptions {
  hostname: string;
  version: string;
  db: Database;
  /** Static files served at /static/ (Nginx serves them in production). */
  staticFiles: Map<string, { body: Buffer; type: string }>;
}

const MAX_BODY = 16 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value) + '\n');
}

/**
 * The request body, at most MAX_BODY bytes. A larger one is read to its end
 * and dropped, then answered 413: the proxy in front (which bounds the size)
 * gets an answer instead of a connection cut while it still sends.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) reject(new HttpError(413, `request body over ${MAX_BODY} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** Returns the message text, or throws a 400 saying what is wrong with it. */
export function validateText(value: unknown): string {
  if (typeof value !== 'string') throw new HttpError(400, 'text is required');
  const text = value.trim();
  if (text === '') throw new HttpError(400, 'text must not be empty');
  if ([...text].length > MAX_TEXT) {
    throw new HttpError(400, `text must be at most ${MAX_TEXT} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) {
    throw new HttpError(400, 'text must not contain control characters');
  }
  return text;
}

function page(opts: AppOptions, messages: Message[], error?: string): string {
  const host = escapeHtml(opts.hostname);
  const items = messages
    .map(
      (m) =>
        `<li><span class="text">${escapeHtml(m.text)}</span> ` +
        `<span class="meta">#${m.id} via ${escapeHtml(m.host)} at ${escapeHtml(String(m.created_at))}</span></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>www.foobar.com</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body>
<header><h1>www.foobar.com</h1><p class="served">Served by <strong id="served-by">${host}</strong></p></header>
<main>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="/messages">
<label for="text">Message</label>
<input id="text" name="text" maxlength="${MAX_TEXT}" required>
<button type="submit">Post</button>
</form>
<h2>Latest messages</h2>
${messages.length ? `<ul class="messages">\n${items}\n</ul>` : '<p class="empty">No messages yet.</p>'}
</main>
<footer>foobar-site ${escapeHtml(opts.version)}</footer>
</body>
</html>
`;
}

async function postMessage(
  opts: AppOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const json = type === 'application/json';
  const form = type === 'application/x-www-form-urlencoded';
  try {
    if (!json && !form) {
      throw new HttpError(415, 'send application/json or application/x-www-form-urlencoded');
    }
    const body = await readBody(req);
    let raw: unknown;
    if (json) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new HttpError(400, 'body is not valid JSON');
      }
      raw =
        parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>).text : undefined;
    } else {
      raw = new URLSearchParams(body).get('text') ?? undefined;
    }
    const text = validateText(raw);
    const id = await opts.db.insert(text, opts.hostname);
    if (json) sendJson(res, 201, { id, host: opts.hostname });
    else send(res, 303, 'text/plain; charset=utf-8', 'See /\n', { Location: '/' });
  } catch (err) {
    let status: number;
    let message: string;
    if (err instanceof HttpError) [status, message] = [err.status, err.message];
    else if (err instanceof WriteUnavailable) [status, message] = [503, err.message];
    else throw err;
    // After a body too large, the connection is not kept for another request.
    if (status === 413) res.setHeader('Connection', 'close');
    if (json || !form) sendJson(res, status, { error: message });
    else {
      const messages = await opts.db.latest().catch(() => []);
      send(res, status, 'text/html; charset=utf-8', page(opts, messages, message));
    }
  }
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: allow });
}

export async function handle(
  opts: AppOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const read = method === 'GET' || method === 'HEAD';

  if (path === '/healthz') {
    if (!read) return methodNotAllowed(res, 'GET, HEAD');
    if (await opts.db.healthy(1000)) {
      return send(res, 200, 'text/plain; charset=utf-8', `ok ${opts.hostname}\n`);
    }
    return send(res, 503, 'text/plain; charset=utf-8', `database unavailable ${opts.hostname}\n`);
  }
  if (path === '/') {
    if (!read) return methodNotAllowed(res, 'GET, HEAD');
    const messages = await opts.db.latest();
    return send(res, 200, 'text/html; charset=utf-8', page(opts, messages));
  }
  if (path === '/messages') {
    if (method === 'POST') return postMessage(opts, req, res);
    if (!read) return methodNotAllowed(res, 'GET, HEAD, POST');
    return sendJson(res, 200, await opts.db.latest(50));
  }
  const one = /^\/messages\/(\d{1,15})$/.exec(path);
  if (one) {
    if (!read) return methodNotAllowed(res, 'GET, HEAD');
    const row = await opts.db.byId(Number(one[1]));
    if (!row) return sendJson(res, 404, { error: 'no such message' });
    return sendJson(res, 200, row);
  }
  if (path.startsWith('/static/')) {
    const file = opts.staticFiles.get(path.slice('/static/'.length));
    if (file && read) {
      return send(res, 200, file.type, file.body, { 'Cache-Control': 'public, max-age=300' });
    }
  }
  if (path.startsWith('/messages/')) return sendJson(res, 404, { error: 'no such message' });
  send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
}
