/**
 * The `ssh_client` fact: the SSH connection this run came in on, as the host
 * sees it (SSH_CONNECTION), found through sudo, which resets the environment.
 */
import type { SshClientFact } from '../model';
import { FactParseError, type FactKind } from './kind';

export const sshClientKind: FactKind<'ssh_client'> = {
  kind: 'ssh_client',
  summary: "this run's SSH connection as the host sees it (SSH_CONNECTION)",
  key: () => 'ssh_client',
  command() {
    // sudo resets the environment: the first ancestor (sudo itself, or the
    // login shell) that still has SSH_CONNECTION tells: its first entry, as
    // getenv reads it. One `sed` per ancestor; the parent's pid is read from
    // /proc/PID/stat with builtins, after the last ") " (the name before it
    // may hold any character).
    return [
      'fb_sc=${SSH_CONNECTION:-}; fb_p=${PPID:-1};',
      'while [ -z "$fb_sc" ] && [ "${fb_p:-1}" -gt 1 ] 2>/dev/null; do',
      `fb_sc=$(sed -nz '/^SSH_CONNECTION=/{s///p;q}' /proc/$fb_p/environ 2>/dev/null);`,
      'fb_st=; read -r fb_st < /proc/$fb_p/stat 2>/dev/null; set -- ${fb_st##*) }; fb_p=${2:-1}; done;',
      `printf '%s\\n' "$fb_sc"`,
    ].join(' ');
  },
  parse: (_request, text) => ({ kind: 'ssh_client', value: parseSshConnection(text) }),
  simulate: (_request, host) => ({ kind: 'ssh_client', value: host.sshClient }),
};

/** `SSH_CONNECTION`: "client-address client-port server-address server-port"; empty when unknown. */
export function parseSshConnection(text: string): SshClientFact | undefined {
  const line = text.trim();
  if (line === '') return undefined;
  const parts = line.split(/\s+/);
  const [address, port, serverAddress, serverPort] = parts;
  if (parts.length !== 4 || !/^\d+$/.test(port!) || !/^\d+$/.test(serverPort!))
    throw new FactParseError(`SSH_CONNECTION: unexpected value ${JSON.stringify(line)}`);
  // An IPv4 client of a dual-stack sshd shows as ::ffff:a.b.c.d.
  const v4 = (a: string) => a.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
  return {
    address: v4(address!),
    port: Number(port),
    serverAddress: v4(serverAddress!),
    serverPort: Number(serverPort),
  };
}
