import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A real OpenSSH server for the transport's integration tests: `sshd -D -e`
 * on 127.0.0.1 and a free high port, with its own host key, an authorized
 * client key in a temporary directory, and two test users:
 *   - foobar-test: may sudo with a (random) password;
 *   - foobar-nopw: may sudo without one.
 * Needs root (to create users and a sudoers rule). What it creates is removed
 * by stop(), or at process exit if stop() is never reached; users and a rule
 * it created are marked, so a later run also removes those a killed run left.
 * Users or a rule of that name without the mark are someone else's: left alone.
 */

export const SSHD = '/usr/sbin/sshd';
export const PASSWORD_USER = 'foobar-test';
export const NOPASSWD_USER = 'foobar-nopw';
const SUDOERS_FILE = '/etc/sudoers.d/foobar-transport-test';
/** The GECOS field of the users this harness creates, and the first line of its sudoers rule. */
const MARK = 'foobar-infra transport test';
const POLICY_RC = '/usr/sbin/policy-rc.d';

function run(cmd: string, args: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    timeout: 600_000,
  });
  return {
    ok: r.status === 0,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
  };
}

/** What the tests run: sshd, sudo, the OpenSSH client tools and ps. */
const TOOLS = [SSHD, '/usr/bin/sudo', '/usr/bin/ssh-keygen', '/usr/bin/ssh-agent', '/usr/bin/ps'];

function installed(): boolean {
  return TOOLS.every((tool) => fs.existsSync(tool));
}

/**
 * Makes sure sshd and sudo are there, installing Debian's openssh-server and
 * sudo if needed without starting the system's ssh service (a policy-rc.d
 * that denies service starts is put in place for the install, and removed
 * after if this created it). Returns why it cannot, if it cannot.
 */
export function ensureSshd(): { ok: boolean; why: string } {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    return {
      ok: false,
      why: 'the SSH transport tests need root on Linux (test users, sudoers, sshd)',
    };
  }
  if (!fs.existsSync('/usr/sbin/useradd')) return { ok: false, why: 'useradd is missing' };
  if (installed()) return { ok: true, why: '' };
  return installSshd();
}

/** apt-get install openssh-server, openssh-client, sudo and procps, with service starts denied. */
export function installSshd(): { ok: boolean; why: string } {
  if (!fs.existsSync('/usr/bin/apt-get')) {
    return {
      ok: false,
      why: `${SSHD} is missing and there is no apt-get to install openssh-server`,
    };
  }
  const createdPolicy = !fs.existsSync(POLICY_RC);
  if (createdPolicy) fs.writeFileSync(POLICY_RC, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const packages = ['openssh-server', 'openssh-client', 'sudo', 'procps'];
    let r = run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages]);
    if (!r.ok) {
      run('apt-get', ['update', '-q']);
      r = run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages]);
    }
    if (!r.ok || !installed()) {
      const last = r.out.trim().split('\n').pop();
      return { ok: false, why: `cannot install ${packages.join(', ')}: ${last}` };
    }
  } finally {
    if (createdPolicy) fs.rmSync(POLICY_RC, { force: true });
  }
  return { ok: true, why: '' };
}

export interface LocalSshd {
  address: '127.0.0.1';
  port: number;
  /** Temporary directory with the keys, config and known_hosts files of the test. */
  dir: string;
  /** Private key accepted for both users. */
  clientKey: string;
  /** `type base64` of the server's host key, and of another key it does not have. */
  hostKey: string;
  otherHostKey: string;
  /** The sudo password of PASSWORD_USER. */
  password: string;
  /** Everything sshd logged so far (LogLevel DEBUG1). */
  log(): string;
  /** Resolves when `pattern` appears in the log after `from`, or after `timeoutMs` (then false). */
  waitForLog(pattern: RegExp, from: number, timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function keygen(file: string, comment: string): string {
  const r = run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  if (!r.ok) throw new Error(`ssh-keygen failed: ${r.out}`);
  return fs.readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
}

/** The /etc/passwd fields of `name`, if it exists. */
function passwdEntry(name: string): string[] | undefined {
  const r = run('getent', ['passwd', name]);
  return r.ok ? r.out.trim().split(':') : undefined;
}

/** Removes a test user once its sessions are gone (userdel refuses while they run). */
function removeUser(name: string): void {
  for (let i = 0; i < 50; i++) {
    if (run('userdel', ['-r', name]).ok || !passwdEntry(name)) return;
    spawnSync('sleep', ['0.1']);
  }
  // Still in use after 5 s: remove it anyway (its leftover processes end on their own).
  run('userdel', ['-r', '-f', name]);
}

export async function startLocalSshd(): Promise<LocalSshd> {
  const cleanups: (() => void)[] = [];
  const cleanup = () => {
    for (const step of cleanups.reverse()) {
      try {
        step();
      } catch {
        // Best effort: keep undoing the rest.
      }
    }
    cleanups.length = 0;
  };
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-sshd-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.chmodSync(dir, 0o755); // the users read authorized_keys from here

    // Users and their sudo rules. Users and a rule file marked as this
    // harness's (left by a run that died) are taken over and removed too.
    const password = `pw-${randomBytes(12).toString('hex')}`;
    for (const user of [PASSWORD_USER, NOPASSWD_USER]) {
      const existing = passwdEntry(user);
      if (existing && existing[4] !== MARK) continue; // someone else's user: leave it be
      if (!existing) {
        const r = run('useradd', ['-m', '-s', '/bin/sh', '-c', MARK, user]);
        if (!r.ok) throw new Error(`useradd ${user}: ${r.out}`);
      }
      cleanups.push(() => removeUser(user));
    }
    if (!run('chpasswd', [], `${PASSWORD_USER}:${password}\n`).ok)
      throw new Error('chpasswd failed');
    // `*` is "no password" without being locked, which sshd (UsePAM no) would refuse.
    run('usermod', ['-p', '*', NOPASSWD_USER]);
    const ruleIsOurs =
      !fs.existsSync(SUDOERS_FILE) || fs.readFileSync(SUDOERS_FILE, 'utf8').startsWith(`# ${MARK}`);
    if (ruleIsOurs) {
      fs.writeFileSync(
        SUDOERS_FILE,
        [
          `# ${MARK}`,
          `Defaults:${PASSWORD_USER} timestamp_timeout=0`,
          `${PASSWORD_USER} ALL=(ALL:ALL) ALL`,
          `${NOPASSWD_USER} ALL=(ALL:ALL) NOPASSWD: ALL`,
          '',
        ].join('\n'),
        { mode: 0o440 },
      );
      cleanups.push(() => fs.rmSync(SUDOERS_FILE, { force: true }));
      const check = run('visudo', ['-c', '-f', SUDOERS_FILE]);
      if (!check.ok) throw new Error(`sudoers rule rejected: ${check.out}`);
    }
    // sshd's privilege separation directory (normally made by the ssh service).
    // It is left in place: another sshd on this machine may be using it.
    if (!fs.existsSync('/run/sshd')) fs.mkdirSync('/run/sshd', { mode: 0o755 });

    // Keys and config.
    const hostKey = keygen(path.join(dir, 'host_ed25519'), 'foobar-test-host');
    const otherHostKey = keygen(path.join(dir, 'other_ed25519'), 'foobar-test-other');
    const clientPub = keygen(path.join(dir, 'client_ed25519'), 'foobar-test-client');
    fs.writeFileSync(path.join(dir, 'authorized_keys'), `${clientPub}\n`, { mode: 0o644 });
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(
      config,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${path.join(dir, 'host_ed25519')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin no',
        `AllowUsers ${PASSWORD_USER} ${NOPASSWD_USER}`,
        'AllowTcpForwarding yes',
        'AllowAgentForwarding yes',
        'X11Forwarding no',
        'PrintMotd no',
        'MaxStartups 50',
        'LogLevel DEBUG1',
        '',
      ].join('\n'),
    );
    const test = run(SSHD, ['-t', '-f', config]);
    if (!test.ok) throw new Error(`sshd -t: ${test.out}`);

    let logText = '';
    const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (logText += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (logText += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGTERM');
    });

    const waitForLog = async (pattern: RegExp, from: number, timeoutMs = 5000) => {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (pattern.test(logText.slice(from))) return true;
        if (child.exitCode !== null) return false;
        await new Promise((r) => setTimeout(r, 25));
      }
      return pattern.test(logText.slice(from));
    };
    if (!(await waitForLog(/Server listening on 127\.0\.0\.1 port/, 0, 10_000))) {
      throw new Error(`sshd did not start:\n${logText}`);
    }

    // If the test process exits without stop() (a crash, a failing hook), undo at exit.
    const atExit = () => cleanup();
    process.once('exit', atExit);

    return {
      address: '127.0.0.1',
      port,
      dir,
      clientKey: path.join(dir, 'client_ed25519'),
      hostKey,
      otherHostKey,
      password,
      log: () => logText,
      waitForLog,
      stop: async () => {
        process.off('exit', atExit);
        if (child.exitCode === null) {
          child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        }
        cleanup();
      },
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/**
 * An inventory of one host, `local-1`, that is this machine through the test
 * sshd (NOPASSWD_USER, become), with the site's roles off, plus the given
 * host variables (YAML lines, indented under the host).
 */
export function localInventory(sshd: LocalSshd, hostVars: string[] = []): string {
  fs.writeFileSync(
    path.join(sshd.dir, 'known_hosts'),
    `[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`,
  );
  return [
    'all:',
    '  vars:',
    `    ssh_user: ${NOPASSWD_USER}`,
    `    ssh_port: ${sshd.port}`,
    `    ssh_key: ${sshd.clientKey}`,
    `    ssh_known_hosts: ${path.join(sshd.dir, 'known_hosts')}`,
    '    become: true',
    '    lb_tls: false',
    '    firewall: false',
    '    mysql_tls: false',
    '  children:',
    '    targets:',
    '      hosts:',
    '        local-1:',
    '          address: 127.0.0.1',
    ...hostVars.map((l) => `          ${l}`),
    '',
  ].join('\n');
}
