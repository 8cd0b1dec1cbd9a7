import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeSSH } from 'node-ssh';
import { TransportError } from '../core/errors';
import type { AuthPlan } from './auth';
import { describeConnectFailure, type ConnectFacts } from './connect-errors';
import { checkHostKey, formatKnownHostsLine, knownKeyTypes, parseKnownHosts } from './known-hosts';
import type { Endpoint } from './route';
import { hostKeyAlgorithmsFor } from './ssh-key';
import type { Ssh2AuthMethod, Ssh2Channel, Ssh2Client, Ssh2Error } from './ssh2-types';

/**
 * Opens one SSH connection with node-ssh: strict host-key checking against
 * known_hosts inside the key exchange (ssh2's `hostVerifier` gets the raw key
 * before any authentication is sent), then the planned public keys. Every
 * failure becomes a TransportError with its step and one line of reason.
 */

export interface OpenOptions {
  /** Inventory host, for messages. */
  host: string;
  endpoint: Endpoint;
  knownHostsFile: string;
  acceptNew: boolean;
  timeoutMs: number;
  auth: AuthPlan;
  /** A stream to the server (a jump host's forwarded channel) instead of a TCP connection. */
  sock?: Ssh2Channel;
  keepaliveMs?: number;
  /** Prefixes failure details, e.g. `via jump host bastion: `. */
  context?: string;
}

export interface OpenedSsh {
  ssh: NodeSSH;
  client: Ssh2Client;
}

/** The ssh2 connect settings this transport uses (node-ssh passes them through). */
interface ConnectSettings {
  host: string;
  port: number;
  username: string;
  sock?: Ssh2Channel;
  readyTimeout: number;
  keepaliveInterval: number;
  keepaliveCountMax: number;
  agentForward: false;
  tryKeyboard: false;
  hostVerifier: (key: Buffer) => boolean;
  authHandler: (methodsLeft: string[] | null) => Ssh2AuthMethod | false;
  algorithms?: { serverHostKey: string[] };
}

function readKnownHosts(host: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return '';
    throw new TransportError(host, 'host key', `cannot read ${file}: ${code ?? String(err)}`);
  }
}

function appendKnownHost(file: string, current: string, line: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  fs.appendFileSync(file, `${separator}${line}\n`, { mode: 0o600 });
}

export async function openSsh(options: OpenOptions): Promise<OpenedSsh> {
  const { endpoint, knownHostsFile: file } = options;
  const initial = readKnownHosts(options.host, file);
  const knownTypes = knownKeyTypes(parseKnownHosts(initial), endpoint.address, endpoint.port);
  const algorithms = hostKeyAlgorithmsFor(knownTypes);
  const facts: ConnectFacts = {
    address: endpoint.address,
    port: endpoint.port,
    user: endpoint.user,
    knownHostsFile: file,
    timeoutMs: options.timeoutMs,
    knownTypes,
    handshook: false,
    errors: [],
    authTried: [],
    authNotes: options.auth.notes,
  };
  const settings: ConnectSettings = {
    host: endpoint.address,
    port: endpoint.port,
    username: endpoint.user,
    sock: options.sock,
    readyTimeout: options.timeoutMs,
    // A dead peer (a link cut mid-run) is noticed within about 15 s.
    keepaliveInterval: options.keepaliveMs ?? 5_000,
    keepaliveCountMax: 3,
    agentForward: false,
    tryKeyboard: false,
    hostVerifier: hostVerifier(options, initial, facts),
    authHandler: authHandler(options, facts),
    ...(algorithms.length > 0 ? { algorithms: { serverHostKey: algorithms } } : {}),
  };
  return connectRecording(options, settings, facts);
}

/**
 * Checks the host's key against known_hosts inside the key exchange (before
 * any authentication is sent); with --accept-new, an unknown host's key is
 * added. A refusal is recorded in `facts` for the failure's words.
 */
function hostVerifier(
  options: OpenOptions,
  initial: string,
  facts: ConnectFacts,
): (key: Buffer) => boolean {
  const { endpoint, knownHostsFile: file } = options;
  return (key) => {
    // Read again: an earlier connection of this run may have added a key.
    let text = initial;
    try {
      text = readKnownHosts(options.host, file);
    } catch {
      // Keep what was read before connecting.
    }
    const verdict = checkHostKey(parseKnownHosts(text), endpoint.address, endpoint.port, key);
    switch (verdict.status) {
      case 'trusted':
        return true;
      case 'changed':
        facts.refusal = { kind: 'changed', key, line: verdict.line, knownType: verdict.knownType };
        return false;
      case 'revoked':
        facts.refusal = { kind: 'revoked', key, line: verdict.line };
        return false;
      case 'unknown':
        if (!options.acceptNew) {
          facts.refusal = { kind: 'unknown', key };
          return false;
        }
        try {
          appendKnownHost(file, text, formatKnownHostsLine(endpoint.address, endpoint.port, key));
          return true;
        } catch (err) {
          const reason = (err as NodeJS.ErrnoException).code ?? String(err);
          facts.refusal = { kind: 'not-saved', key, reason };
          return false;
        }
    }
  };
}

/** Offers the planned public keys in order, each recorded; nothing when the server takes no key. */
function authHandler(
  options: OpenOptions,
  facts: ConnectFacts,
): (methodsLeft: string[] | null) => Ssh2AuthMethod | false {
  const queue = [...options.auth.methods];
  return (methodsLeft) => {
    if (methodsLeft && !methodsLeft.includes('publickey')) return false;
    const next = queue.shift();
    if (!next) return false;
    facts.authTried.push(next.label);
    return next.method;
  };
}

/** Connects, recording ssh2's errors and the handshake; a failure becomes one TransportError. */
async function connectRecording(
  options: OpenOptions,
  settings: ConnectSettings,
  facts: ConnectFacts,
): Promise<OpenedSsh> {
  const ssh = new NodeSSH();
  const pending = ssh.connect(settings);
  // node-ssh creates the ssh2 client synchronously inside connect().
  const client = ssh.connection as Ssh2Client | null;
  const onError = (err: Ssh2Error) =>
    facts.errors.push({ message: err.message, level: err.level, code: err.code });
  const onHandshake = () => {
    facts.handshook = true;
  };
  client?.on('error', onError);
  client?.on('handshake', onHandshake);
  // Small request/reply packets: without this each exec waits on delayed ACKs.
  client?.setNoDelay(true);
  try {
    await pending;
  } catch (err) {
    if (!client) throw err;
    // Late errors of a dead client must not go unhandled.
    client.on('error', () => undefined);
    client.end();
    options.sock?.destroy();
    if (facts.errors.length === 0) facts.errors.push({ message: (err as Error).message });
    const failure = describeConnectFailure(facts);
    throw new TransportError(
      options.host,
      failure.step,
      `${options.context ?? ''}${failure.detail}`,
    );
  }
  client!.off('error', onError);
  client!.off('handshake', onHandshake);
  return { ssh, client: client! };
}
