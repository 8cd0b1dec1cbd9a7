/**
 * The transport: how the engine runs scripts on hosts. Only `engine` and `cli`
 * import this folder. See ssh-transport.ts for the SSH implementation and
 * remote-command.ts for how a script travels (on stdin, never on the command line).
 */
export type {
  ConnectTarget,
  Connection,
  ExecOptions,
  ExecResult,
  Transport,
  TransportStats,
} from './types';
export { sshTransport, type SshTransportOptions } from './ssh-transport';
