import { createHash } from 'node:crypto';
import { knownHostName } from './known-hosts';
import { keyTypeOf } from './ssh-key';

/**
 * Turns what went wrong while opening an SSH connection into the step that
 * failed and one line a person can act on. Pure: the opener records the
 * facts, this decides the words.
 */

export type HostKeyRefusal =
  | { kind: 'unknown'; key: Buffer }
  | { kind: 'changed'; key: Buffer; line: number; knownType: string }
  | { kind: 'revoked'; key: Buffer; line: number }
  | { kind: 'not-saved'; key: Buffer; reason: string };

export interface ConnectFacts {
  address: string;
  port: number;
  user: string;
  knownHostsFile: string;
  timeoutMs: number;
  /** Key types known_hosts trusts for the host (the offer was narrowed to them). */
  knownTypes: string[];
  /** Set when our host-key check said no. */
  refusal?: HostKeyRefusal;
  /** The key exchange finished: the failure came later. */
  handshook: boolean;
  errors: { message: string; level?: string; code?: string }[];
  /** Authentication attempts offered, in order (key file paths, `ssh-agent`). */
  authTried: string[];
  authNotes: string[];
}

export interface ConnectFailure {
  step: 'connect' | 'host key' | 'authenticate';
  detail: string;
}

/** `SHA256:…` as ssh-keygen -l prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export function describeConnectFailure(facts: ConnectFacts): ConnectFailure {
  if (facts.refusal) return refusalFailure(facts, facts.refusal);
  return levelFailure(facts) ?? otherFailure(facts);
}

/** Our host-key check said no: why, and what to do. */
function refusalFailure(facts: ConnectFacts, refusal: HostKeyRefusal): ConnectFailure {
  const where = `${facts.address}:${facts.port}`;
  const file = facts.knownHostsFile;
  const offered = `${keyTypeOf(refusal.key)} key ${fingerprint(refusal.key)}`;
  switch (refusal.kind) {
    case 'unknown':
      return {
        step: 'host key',
        detail:
          `${where} is not in ${file} (it offered ${offered}); refusing an unknown host: ` +
          `check the fingerprint, then run with --accept-new to trust it`,
      };
    case 'changed':
      return {
        step: 'host key',
        detail:
          `HOST KEY CHANGED for ${where}: it offered ${offered}, but ${file}:${refusal.line} ` +
          `holds a different ${refusal.knownType} key; refusing (if the host was rebuilt, ` +
          `remove that line: ssh-keygen -R '${knownHostName(facts.address, facts.port)}' -f ${file})`,
      };
    case 'revoked':
      return {
        step: 'host key',
        detail: `${where} offered ${offered}, revoked in ${file}:${refusal.line}; refusing`,
      };
    case 'not-saved':
      return {
        step: 'host key',
        detail: `cannot add the host key of ${where} to ${file}: ${refusal.reason}`,
      };
  }
}

/** An error ssh2 gave a level to: a timeout, the socket or DNS, authentication, the agent. */
function levelFailure(facts: ConnectFacts): ConnectFailure | undefined {
  const where = `${facts.address}:${facts.port}`;
  const byLevel = (level: string) => facts.errors.find((e) => e.level === level);
  const timeout = byLevel('client-timeout');
  if (timeout) {
    const seconds = `${facts.timeoutMs / 1000} s`;
    return facts.handshook
      ? { step: 'authenticate', detail: `${where} did not finish authentication within ${seconds}` }
      : {
          step: 'connect',
          detail: `no SSH answer from ${where} within ${seconds} (connect timeout)`,
        };
  }
  const socket = byLevel('client-socket') ?? byLevel('client-dns');
  if (socket) return { step: 'connect', detail: socketReason(socket, facts) };
  const auth = byLevel('client-authentication');
  if (auth) {
    const tried =
      facts.authTried.length > 0
        ? `refused every key offered (${facts.authTried.join(', ')})`
        : 'was offered no key: no key file, no ssh-agent (SSH_AUTH_SOCK) and no default key';
    const notes = facts.authNotes.length > 0 ? `; ${facts.authNotes.join('; ')}` : '';
    return { step: 'authenticate', detail: `${facts.user}@${where} ${tried}${notes}` };
  }
  const agent = byLevel('agent');
  if (agent) return { step: 'authenticate', detail: `ssh-agent: ${oneLine(agent.message)}` };
  return undefined;
}

/** Anything else, read from the first error's words, or the connection simply closed. */
function otherFailure(facts: ConnectFacts): ConnectFailure {
  const where = `${facts.address}:${facts.port}`;
  const first = facts.errors[0];
  if (first && /no matching host key format/i.test(first.message) && facts.knownTypes.length > 0) {
    return {
      step: 'host key',
      detail:
        `${where} offers no host key of the type ${facts.knownHostsFile} trusts for it ` +
        `(${facts.knownTypes.join(', ')}): its host key has changed; refusing`,
    };
  }
  if (first && /before handshake/i.test(first.message)) {
    return {
      step: 'connect',
      detail: `${where} closed the connection before the SSH handshake (not an SSH server, or it turned us away)`,
    };
  }
  return {
    step: facts.handshook ? 'authenticate' : 'connect',
    detail: first ? `${where}: ${oneLine(first.message)}` : `${where} closed the connection`,
  };
}

function socketReason(error: { message: string; code?: string }, facts: ConnectFacts): string {
  const where = `${facts.address}:${facts.port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where} (no SSH server listening there)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `cannot resolve the address ${facts.address}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${facts.address} is unreachable`;
    case 'ECONNRESET':
      return `connection reset by ${where}`;
    case 'ETIMEDOUT':
      return `no answer from ${where} (TCP timeout)`;
    default:
      return `${where}: ${oneLine(error.message)}`;
  }
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
