import { createHash } from 'node:crypto';
import type { Fact, FactRequest, FileFact, SshClientFact, TreeEntry } from '../facts/types';
import { factKey, unitName } from '../facts/types';
import { commandText, type Change } from '../modules/changes';
import type { PendingHandler } from './handler-state';
import type { TaskGroup } from './change-script';
import { ChangeFailed, type Gathered, type HostDriver } from './host-driver';
import { validatorProgram, type Candidate, type Inspection } from './inspect-script';

interface MemFile {
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
  pending: PendingHandler[] = [];
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
        sha256: sha(f.content),
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

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A HostDriver over a MemoryHost. Counts one command per operation, as the SSH driver does. */
export class MemoryDriver implements HostDriver {
  commands = 0;
  readonly connections = 1;
  /** Simulates the tool dying: every operation after this many executes throws. */
  dieAfterExecutes?: number;
  private executes = 0;

  constructor(readonly state: MemoryHost) {}

  get host(): string {
    return this.state.name;
  }

  private tick(): void {
    if (this.dieAfterExecutes !== undefined && this.executes >= this.dieAfterExecutes) {
      throw new Error(`simulated crash on ${this.host}`);
    }
    this.commands++;
  }

  async gather(requests: readonly FactRequest[]): Promise<Gathered> {
    this.tick();
    const facts = new Map<string, Fact>();
    for (const r of requests) facts.set(factKey(r), this.fact(r));
    return { facts, pending: [...this.state.pending] };
  }

  private fact(r: FactRequest): Fact {
    const s = this.state;
    switch (r.kind) {
      case 'file':
        return { kind: 'file', value: s.fileFact(r.path) };
      case 'exists':
        return { kind: 'exists', value: s.exists(r.path) };
      case 'exit':
        return {
          kind: 'exit',
          value: /^test -e (\S+)$/.test(r.script) && s.exists(r.script.slice(8)) ? 0 : 1,
        };
      case 'packages':
        return {
          kind: 'packages',
          value: new Map(
            r.names.map((n) => [
              n,
              {
                name: n,
                installed: s.packages.has(n),
                version: s.packages.has(n) ? '1.0' : undefined,
              },
            ]),
          ),
        };
      case 'units':
        return {
          kind: 'units',
          value: new Map(
            r.names.map((n) => {
              const u = s.units.get(unitName(n));
              return [
                n,
                {
                  name: n,
                  loadState: u ? 'loaded' : 'not-found',
                  activeState: u?.active ? 'active' : 'inactive',
                  subState: u?.active ? 'running' : 'dead',
                  unitFileState: u ? (u.enabled ? 'enabled' : 'disabled') : '',
                  needDaemonReload: u?.needDaemonReload ?? false,
                },
              ];
            }),
          ),
        };
      case 'content':
        return { kind: 'content', value: s.files.get(r.path)?.content.toString('utf8') };
      case 'account': {
        const a = s.accounts.get(r.name);
        return {
          kind: 'account',
          value: a ? { name: r.name, exists: true, ...a } : { name: r.name, exists: false },
        };
      }
      case 'sql':
        return { kind: 'sql', value: s.sql(r.query, r.remote) };
      case 'ssh_client':
        return { kind: 'ssh_client', value: s.sshClient };
      case 'haproxy_stat':
        return { kind: 'haproxy_stat', value: { ok: false, error: 'not simulated' } };
      case 'http':
        return { kind: 'http', value: { status: 0, error: 'not simulated' } };
      case 'tree': {
        const entries = new Map<string, TreeEntry>();
        const prefix = `${r.path}/`;
        for (const [p, f] of s.files) {
          if (p.startsWith(prefix))
            entries.set(p.slice(prefix.length), {
              type: 'file',
              mode: f.mode,
              owner: f.owner,
              group: f.group,
              sha256: sha(f.content),
            });
        }
        for (const [p, d] of s.dirs)
          if (p.startsWith(prefix))
            entries.set(p.slice(prefix.length), { type: 'directory', ...d });
        return { kind: 'tree', value: { path: r.path, isDirectory: s.dirs.has(r.path), entries } };
      }
    }
  }

  async confirm(change: Extract<Change, { kind: 'write' }>): Promise<void> {
    const s = this.state;
    if (!s.newConnectionsPass || !s.armed || s.armed.path !== change.path) {
      s.armed = undefined;
      s.log.push(`revert ${change.path}`);
      throw new ChangeFailed(
        `${change.path} was loaded, but a new SSH connection to confirm it failed: the host restores the previous ruleset by itself`,
        null,
        false,
      );
    }
    s.files.set(change.path, s.armed.file);
    s.armed = undefined;
    s.log.push(`confirm ${change.path}`);
  }

  async execute(
    changes: readonly Change[],
    options: { clear?: PendingHandler[]; groups?: TaskGroup[] },
  ): Promise<void> {
    this.tick();
    this.executes++;
    const s = this.state;
    const groups = options.groups ?? [{ start: 0, record: [] }];
    for (const [g, group] of groups.entries()) {
      const end = groups[g + 1]?.start ?? changes.length;
      const mark = s.pending.length;
      s.pending.push(...group.record);
      try {
        for (const c of changes.slice(group.start, end)) this.apply(c);
      } catch (error) {
        // As on a host: a refused first change leaves its task's handlers unrecorded.
        if (error instanceof ChangeFailed && error.validation) s.pending.splice(mark);
        if (error instanceof ChangeFailed)
          throw new ChangeFailed(error.detail, error.exitCode, error.validation, g);
        throw error;
      }
    }
    if (options.clear) {
      const drop = new Set(options.clear.map((p) => `${p.play}\t${p.handler}`));
      s.pending = s.pending.filter((p) => !drop.has(`${p.play}\t${p.handler}`));
    }
  }

  private apply(c: Change): void {
    const s = this.state;
    switch (c.kind) {
      case 'write': {
        const parent = c.path.slice(0, c.path.lastIndexOf('/')) || '/';
        if (!s.dirs.has(parent))
          throw new ChangeFailed(`cannot create a temp file beside ${c.path}`, 1, false);
        if (c.validate) {
          const program = validatorProgram(c.validate) ?? c.validate;
          const check = s.validators.get(program);
          const error = check ? check(c.content.toString('utf8')) : undefined;
          if (error) throw new ChangeFailed(error, 65, true);
        }
        const file = { content: c.content, mode: c.mode, owner: c.owner, group: c.group };
        if (c.activate) {
          s.armed = { path: c.path, file };
          s.log.push(`load ${c.path}`);
          return;
        }
        s.files.set(c.path, file);
        s.log.push(`write ${c.path}`);
        if (c.path.startsWith('/etc/systemd/system/')) {
          const u = s.units.get(c.path.slice('/etc/systemd/system/'.length));
          if (u) u.needDaemonReload = true;
          else
            s.units.set(c.path.slice('/etc/systemd/system/'.length), {
              active: false,
              enabled: false,
              needDaemonReload: true,
            });
        }
        return;
      }
      case 'attributes': {
        const f = s.files.get(c.path) ?? s.dirs.get(c.path);
        if (!f) throw new ChangeFailed(`cannot chmod ${c.path}`, 1, false);
        if (c.mode) f.mode = c.mode;
        if (c.owner) f.owner = c.owner;
        if (c.group) f.group = c.group;
        s.log.push(`attributes ${c.path}`);
        return;
      }
      case 'mkdir': {
        const parts = c.path.split('/').filter(Boolean);
        for (let i = 1; i <= parts.length; i++) {
          const p = `/${parts.slice(0, i).join('/')}`;
          if (!s.dirs.has(p)) s.dirs.set(p, { mode: c.mode, owner: c.owner, group: c.group });
        }
        s.log.push(`mkdir ${c.path}`);
        return;
      }
      case 'symlink':
        s.links.set(c.path, c.target);
        s.log.push(`symlink ${c.path}`);
        return;
      case 'remove':
        for (const map of [s.files, s.dirs, s.links] as Map<string, unknown>[]) {
          for (const p of [...map.keys()])
            if (p === c.path || p.startsWith(`${c.path}/`)) map.delete(p);
        }
        s.log.push(`remove ${c.path}`);
        return;
      case 'packages':
        for (const p of c.install) {
          const units = s.repository.get(p);
          if (!units)
            throw new ChangeFailed(`apt-get install ${c.install.join(' ')} failed`, 100, false);
          s.packages.add(p);
          for (const u of units)
            if (!s.units.has(u)) s.units.set(u, { active: true, enabled: true });
        }
        for (const p of c.remove) s.packages.delete(p);
        s.log.push(`packages +${c.install.join(',')} -${c.remove.join(',')}`);
        return;
      case 'service': {
        if (c.action === 'daemon-reload') {
          for (const u of s.units.values()) u.needDaemonReload = false;
          s.log.push('daemon-reload');
          return;
        }
        const u = s.units.get(c.unit);
        if (!u) throw new ChangeFailed(`systemctl ${c.action} ${c.unit} failed`, 5, false);
        if (c.action === 'start' || c.action === 'restart') u.active = true;
        if (c.action === 'stop') u.active = false;
        if (c.action === 'enable') u.enabled = true;
        if (c.action === 'disable') u.enabled = false;
        s.log.push(`${c.action} ${c.unit}`);
        return;
      }
      case 'command':
        s.log.push(`command ${commandText(c)}`);
        return;
      case 'sql':
        s.onSql(c.statements);
        s.log.push(`sql ${c.redacted.join('; ')}`);
        return;
      case 'await-replica':
        s.log.push('await-replica');
        return;
      case 'deferred':
        throw new ChangeFailed(c.reason, 1, false);
      case 'transfer':
        s.imports(c.importScript, c.data!);
        s.log.push(`transfer from ${c.from}`);
        return;
    }
  }

  async capture(script: string): Promise<Buffer> {
    this.tick();
    return Buffer.from(this.state.exports(script));
  }

  async inspect(
    candidates: readonly Candidate[],
    options: { before: boolean; validate: boolean },
  ): Promise<Inspection[]> {
    this.tick();
    return candidates.map((c) => {
      const r: Inspection = {};
      if (options.before) r.before = this.state.files.get(c.path)?.content;
      if (options.validate && c.validate) {
        const program = validatorProgram(c.validate) ?? c.validate;
        if (this.state.missingPrograms.has(program)) {
          r.validation = { status: 'unavailable', command: c.validate, program };
        } else {
          const error = this.state.validators.get(program)?.(c.content.toString('utf8'));
          r.validation = error
            ? { status: 'failed', command: c.validate, exitCode: 1, output: error }
            : { status: 'passed', command: c.validate };
        }
      }
      return r;
    });
  }

  async close(): Promise<void> {}
}
