/**
 * Preloaded with `node --require` by tests that prove a command needs no SSH:
 * loading the SSH stack (node-ssh, ssh2 or the tool's transport) is fatal.
 */
// The CommonJS loader itself (an ES namespace import would be read-only).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module') as object;

const FORBIDDEN = /(^|[/\\])(node-ssh|ssh2)([/\\]|$)|[/\\]src[/\\]transport[/\\]/;
const loader = Module as unknown as {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
  _resolveFilename: (request: string, parent: unknown) => string;
};
const load = loader._load;
loader._load = function (request, parent, isMain) {
  let resolved = request;
  try {
    resolved = loader._resolveFilename(request, parent);
  } catch {
    // Let the real loader report it.
  }
  if (FORBIDDEN.test(request) || FORBIDDEN.test(resolved)) {
    process.stderr.write(`forbid-ssh: ${request} was loaded\n`);
    process.exit(99);
  }
  return load.call(this, request, parent, isMain);
};
