import { quoteArgv } from '../core/shell';

/**
 * How a script reaches the remote shell.
 *
 * The script is never put on the command line: it would show in `ps` to every
 * user of the host (scripts can hold secrets, e.g. SQL with a password), and a
 * command line is limited to 128 KiB. Instead the exec request runs a small
 * fixed loader, `sh -c '<loader>'`, and the script follows on stdin, ended by
 * a random sentinel line; whatever comes after the sentinel is the caller's
 * stdin payload. The loader reads the script with `read`, which POSIX requires
 * not to read past the line (dash, unlike bash, reads ahead when it runs
 * `sh -s`, so the script cannot simply be fed to `sh -s`), then `eval`s it: the
 * script's commands see the payload, or end of file, on their stdin.
 *
 * With become, the loader runs under sudo and first prints a random "ready"
 * marker to stderr: until it appears, whatever reads stdin is sudo, which is
 * given the password (after its random prompt marker) and nothing else.
 */
export interface RemoteCommand {
  /** The command line of the exec request: fixed text and random markers, never a secret. */
  command: string;
  /** The line that ends the script on stdin. */
  sentinel: string;
  /** With become and a password: the prompt sudo prints when it wants the password. */
  promptMarker?: string;
  /** With become: the wrapped shell prints `<readyMarker> <its pid>` to stderr once sudo let it run. */
  readyMarker?: string;
}

export interface RemoteCommandOptions {
  become: boolean;
  /** With become: sudo is given a password on stdin (`-S`), else it must not ask (`-n`). */
  password: boolean;
  /** A fresh random token (letters and digits) for each marker. */
  token: () => string;
}

/** Lines of script are gathered this many at a time, to keep the loader linear in time. */
const CHUNK_LINES = 256;

/** The loader: sh text without single quotes, `!` or newlines, so any login shell passes it on. */
export function loaderScript(sentinel: string, readyMarker?: string): string {
  return [
    ...(readyMarker ? [`printf "%s %s\\n" ${readyMarker} "$$" >&2`] : []),
    `__fb_e=${sentinel}`,
    '__fb_s=',
    '__fb_c=',
    '__fb_i=0',
    '__fb_n=$(printf "\\nx")',
    '__fb_n=${__fb_n%x}',
    'while IFS= read -r __fb_l; do [ "$__fb_l" = "$__fb_e" ] && break; ' +
      '__fb_c=$__fb_c$__fb_l$__fb_n; __fb_i=$((__fb_i+1)); ' +
      `[ $__fb_i -lt ${CHUNK_LINES} ] || { __fb_s=$__fb_s$__fb_c; __fb_c=; __fb_i=0; }; done`,
    '[ "$__fb_l" = "$__fb_e" ] || { echo "foobar-infra: the script did not arrive whole" >&2; exit 125; }',
    '__fb_s=$__fb_s$__fb_c',
    'eval "unset __fb_e __fb_s __fb_c __fb_i __fb_l __fb_n$__fb_n$__fb_s"',
  ].join('; ');
}

export function buildRemoteCommand(options: RemoteCommandOptions): RemoteCommand {
  const sentinel = `foobar_end_${options.token()}`;
  if (!options.become) {
    return { command: quoteArgv(['sh', '-c', loaderScript(sentinel)]), sentinel };
  }
  const readyMarker = `foobar_ready_${options.token()}`;
  const shell = ['sh', '-c', loaderScript(sentinel, readyMarker)];
  if (!options.password) {
    return { command: quoteArgv(['sudo', '-H', '-n', '--', ...shell]), sentinel, readyMarker };
  }
  const promptMarker = `foobar_sudo_prompt_${options.token()}:`;
  return {
    command: quoteArgv(['sudo', '-H', '-S', '-p', promptMarker, '--', ...shell]),
    sentinel,
    promptMarker,
    readyMarker,
  };
}

/** The script as the loader reads it: text, a newline, the sentinel line. */
export function frameScript(script: string, sentinel: string): Buffer {
  if (script.includes('\0')) throw new TypeError('a script cannot contain a NUL byte');
  return Buffer.from(`${script}\n${sentinel}\n`, 'utf8');
}

/**
 * A script (to run as root) that ends what a timed-out become command left:
 * the process group of its wrapped shell, TERM then KILL. sshd's own signal
 * cannot do it, as it signals as the login user and the command runs as root.
 */
export function killGroupScript(pid: number): string {
  if (!Number.isInteger(pid) || pid <= 1) throw new RangeError(`not a process id: ${pid}`);
  return [
    `g=$(sed -e 's/^.*) //' /proc/${pid}/stat 2>/dev/null | cut -d' ' -f3)`,
    'case "$g" in ""|*[!0-9]*|0|1) exit 0;; esac',
    'kill -TERM "-$g" 2>/dev/null',
    'sleep 1',
    'kill -KILL "-$g" 2>/dev/null',
    'exit 0',
  ].join('\n');
}
