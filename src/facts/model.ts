/**
 * The data of facts: what the engine may ask a host (FactRequest) and what
 * it learns (Fact), one member per kind. Types only, no code: every kind's
 * file (kinds/) reads them, and types.ts, the facts' public face, re-exports
 * them (it also dispatches through the kinds' registry, so the kinds cannot
 * import it without a cycle).
 */

/** A question the engine asks a host before planning: one member per kind. */
export type FactRequest =
  | { kind: 'file'; path: string }
  | { kind: 'tree'; path: string }
  /** The releases of an application folder (the `release` module): `current` and `releases/`. */
  | { kind: 'releases'; dir: string }
  /** A folder's files with sizes, and the text of those whose name ends in one of `read`. */
  | { kind: 'listing'; dir: string; read: string[] }
  | { kind: 'packages'; names: string[] }
  | { kind: 'units'; names: string[] }
  | { kind: 'exit'; script: string }
  | { kind: 'exists'; path: string }
  | { kind: 'content'; path: string }
  | { kind: 'account'; name: string }
  /** The SSH connection this run came in on, as the host sees it (SSH_CONNECTION). */
  | { kind: 'ssh_client' }
  /**
   * `show stat` of HAProxy's runtime API: the CSV, from a localhost TCP
   * socket (`port`) or a Unix socket (`socket`, read with socat, as root).
   */
  | { kind: 'haproxy_stat'; port: number; socket?: undefined }
  | { kind: 'haproxy_stat'; socket: string; port?: undefined }
  /**
   * An HTTP(S) GET made from the host, with curl: the status code (0 when
   * nothing answered). `resolve` pins the URL's name to an address (curl
   * --resolve); `insecure` skips the certificate check (a local probe).
   */
  | { kind: 'http'; url: string; resolve?: string; insecure?: boolean }
  /** The status and body of a GET made from the host (an API on its localhost). */
  | { kind: 'http_text'; url: string }
  | { kind: 'sql'; query: string; orElse?: string; vertical?: boolean; remote?: RemoteDatabase };

/**
 * A database server reached over TCP from the host (e.g. a replica checking
 * its primary). The password is a secret: it goes into a mode-600 defaults
 * file in a root-only runtime folder (/run) that lives only while the gather
 * runs, never into argv or /tmp.
 */
export interface RemoteDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
  /**
   * Connect over TLS (the account may `REQUIRE SSL`), with the options of this
   * host's client: MariaDB's `ssl`, MySQL's `ssl-mode=REQUIRED`.
   */
  tls?: 'mysql' | 'mariadb';
  /** With tls: a CA file on this host that the server's certificate and address are verified against. */
  ca?: string;
}

/** What a SQL fact says: the client's output, or why the query could not run. */
export type SqlResult = { ok: true; output: string } | { ok: false; error: string };

export type FileType = 'file' | 'directory' | 'link' | 'other';

export interface FileFact {
  path: string;
  exists: boolean;
  type?: FileType;
  /** Octal, four digits, e.g. "0644". */
  mode?: string;
  owner?: string;
  group?: string;
  size?: number;
  /** For regular files. */
  sha256?: string;
  /** For symlinks. */
  linkTarget?: string;
}

export interface TreeEntry {
  /** A link is listed as itself (never followed). */
  type: 'file' | 'directory' | 'link';
  mode: string;
  owner: string;
  group: string;
  sha256?: string;
}

export interface TreeFact {
  path: string;
  /** False when the path is absent or not a directory. */
  isDirectory: boolean;
  /** Relative path → entry, for everything below the path. */
  entries: Map<string, TreeEntry>;
  /** The folder's own mode, owner and group (when it is a folder). */
  root?: { mode: string; owner: string; group: string };
}

/** What `current` is in an application folder. */
export type CurrentRelease =
  /** A link, with its target as written (e.g. `releases/0f3a9c1b2d4e`). */
  | { type: 'link'; target: string }
  /** A folder: a code base copied in place, before releases. */
  | { type: 'directory' }
  | { type: 'absent' }
  | { type: 'other' };

/** A folder's files (not below it), by name; `text` for the records asked to be read. */
export interface ListingFact {
  present: boolean;
  files: { name: string; size: number; mtime: number; text?: string }[];
}

/** The releases of an application folder, from one listing. */
export interface ReleasesFact {
  dir: string;
  current: CurrentRelease;
  /** False when `releases/` is absent (or not a folder). */
  hasReleasesDir: boolean;
  /**
   * Each folder under `releases/` whose name is a plain word (the ones the
   * tool makes); `completedAt` (epoch seconds) when its marker is written,
   * i.e. the release is whole.
   */
  releases: { name: string; completedAt?: number }[];
  /**
   * The target of the `previous` link: the release `current` pointed to
   * before its last switch (where a rollback goes). Absent without the link.
   */
  previous?: string;
}

/** A local user account, from `getent passwd` and `id -Gn`. */
export interface AccountFact {
  name: string;
  exists: boolean;
  uid?: number;
  gid?: number;
  home?: string;
  shell?: string;
  /** Every group it is in, its primary group first. */
  groups?: string[];
}

/** Where the run's SSH connection comes from and goes to, as the host sees it. */
export interface SshClientFact {
  address: string;
  port: number;
  serverAddress: string;
  serverPort: number;
}

export interface PackageFact {
  name: string;
  installed: boolean;
  version?: string;
}

export interface UnitFact {
  name: string;
  /** loaded, not-found, masked, ... */
  loadState: string;
  /** active, inactive, failed, activating, ... */
  activeState: string;
  subState: string;
  /** enabled, disabled, static, masked, "" ... */
  unitFileState: string;
  /** The unit file changed on disk since systemd last read it. */
  needDaemonReload: boolean;
}

/** A host's answer to a FactRequest of the same kind. */
export type Fact =
  | { kind: 'file'; value: FileFact }
  | { kind: 'tree'; value: TreeFact }
  | { kind: 'releases'; value: ReleasesFact }
  | { kind: 'listing'; value: ListingFact }
  | { kind: 'packages'; value: Map<string, PackageFact> }
  | { kind: 'units'; value: Map<string, UnitFact> }
  | { kind: 'exit'; value: number }
  | { kind: 'exists'; value: boolean }
  | { kind: 'content'; value: string | undefined }
  | { kind: 'account'; value: AccountFact }
  | { kind: 'ssh_client'; value: SshClientFact | undefined }
  | { kind: 'haproxy_stat'; value: { ok: true; csv: string } | { ok: false; error: string } }
  | { kind: 'http'; value: { status: number; error?: string } }
  | {
      kind: 'http_text';
      value: { ok: true; status: number; body: string } | { ok: false; error: string };
    }
  | { kind: 'sql'; value: SqlResult };
