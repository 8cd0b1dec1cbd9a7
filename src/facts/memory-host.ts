/**
 * A simulated host, all in memory: files, folders, links, packages, units,
 * accounts, and hooks for what tests model themselves (SQL, transfers). The
 * in-memory driver (engine/memory-driver.ts) reads facts from it and applies
 * changes to it, each kind through its own simulation (facts/kinds/,
 * changes/kinds/). Pure data: no effect reaches the machine.
 */
import { createHash } from 'node:crypto';
import type { FileFact, SshClientFact } from './model';

export interface MemFile {
  content: Buffer;
  mode: string;
  owner: string;
  group: string;
}

export interface MemUnit {
  active: boolean;
  enabled: boolean;
  needDaemonReload?: boolean;
}

/** A simulated host: files, folders, links, packages and units, all in memory. */
export class MemoryHost {
  files = new Map<string, MemFile>();
  dirs = new Map<string, { mode: string; owner: string; group: string }>([
    ['/', { mode: '0755', owner: 'root', group: 'root' }],
  ]);
  links = new Map<string, string>();
  packages = new Set<string>();
  /** Packages apt can install, with the units each brings. */
  repository = new Map<string, string[]>();
  units = new Map<string, MemUnit>();
  accounts = new Map<
    string,
    { uid: number; gid: number; home: string; shell: string; groups: string[] }
  >();
  /** Handlers recorded as pending on the host (play and handler names). */
  pending: { play: string; handler: string }[] = [];
  /** Every action performed, in order: "write /etc/x", "reload nginx.service", ... */
  log: string[] = [];
  /** Validators by program name (the first word of a validate command). */
  validators = new Map<string, (content: string) => string | undefined>();
  /** Programs not installed: a validator that runs one is "unavailable" in a dry run. */
  missingPrograms = new Set<string>();
  reachable = true;
  /** SSH_CONNECTION as the host sees it. */
  sshClient: SshClientFact | undefined = {
    address: '192.0.2.1',
    port: 50000,
    serverAddress: '192.0.2.10',
    serverPort: 22,
  };
  /** An activated write loaded and waiting for its confirmation. */
  armed?: { path: string; file: MemFile };
  /** False: a new connection cannot get through (the new firewall ruleset blocks it). */
  newConnectionsPass = true;
  /** Output of a capture (export) script. */
  exports: (script: string) => string = () => '';
  /** Receives an imported transfer's data. */
  imports: (script: string, data: Buffer) => void = () => undefined;
  /** Receives executed SQL statements (tests keep their own model of the server). */
  onSql: (statements: string[]) => void = () => undefined;
  /** Answers SQL facts; by default no database server is installed. */
  sql: (
    query: string,
    remote?: { host: string; user: string },
  ) => { ok: true; output: string } | { ok: false; error: string } = () => ({
    ok: false,
    error: 'the mysql client is not installed',
  });

  constructor(readonly name: string) {}

  fileFact(path: string): FileFact {
    const link = this.links.get(path);
    if (link !== undefined)
      return {
        path,
        exists: true,
        type: 'link',
        linkTarget: link,
        mode: '0777',
        owner: 'root',
        group: 'root',
      };
    const f = this.files.get(path);
    if (f) {
      return {
        path,
        exists: true,
        type: 'file',
        mode: f.mode,
        owner: f.owner,
        group: f.group,
        size: f.content.length,
        sha256: sha256Hex(f.content),
      };
    }
    const d = this.dirs.get(path);
    if (d) return { path, exists: true, type: 'directory', ...d };
    return { path, exists: false };
  }

  exists(path: string): boolean {
    return this.fileFact(path).exists;
  }
}

const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * A simulated change that the host refuses, as its change script would: the
 * driver reports it as the script's failure.
 */
export class SimulatedFailure extends Error {
  constructor(
    readonly detail: string,
    readonly exitCode: number,
    /** The candidate's validator refused it (the host is untouched). */
    readonly validation = false,
  ) {
    super(detail);
  }
}
