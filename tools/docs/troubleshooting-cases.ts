import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LockError, TransportError } from '../../src/core/errors';
import { MemoryDriver } from '../../test/support/memory-driver';
import { MemoryHost } from '../../src/facts/memory-host';
import { describeConnectFailure, type ConnectFacts } from '../../src/transport/connect-errors';
import {
  runApplyInMemory,
  runCli,
  type Capture,
  type EnvChanges,
  type MemoryApply,
} from './capture';

/**
 * The cases of docs/troubleshooting.md. Each runs the tool on a small input
 * (test/fixtures/troubleshooting/) without SSH or a network and records what
 * it printed. `expect` says what the case exists to show: the generator
 * refuses to write a page where a case no longer produces its problem.
 */

/** How a case's output was produced, said on the page. */
export type Provenance =
  /** The CLI, run on local files. */
  | 'cli'
  /** `apply`'s engine, reporter and exit codes over simulated hosts; `note` says what is simulated. */
  | 'simulated';

export interface TroubleCase {
  id: string;
  title: string;
  provenance: Provenance;
  /** What is simulated, for `simulated` cases. */
  note?: string;
  /** Input files shown with the case, relative to the project root. */
  show?: string[];
  run(root: string): Promise<Capture[]>;
  /** Per capture, in order: its exit code and a pattern its output must match. */
  expect: { exitCode: number; output: RegExp }[];
  cause: string;
  fix: string;
}

const FIXTURES = 'test/fixtures/troubleshooting';
const inventory = (name: string) => `${FIXTURES}/inventories/${name}.yml`;
const playbook = (name: string) => `${FIXTURES}/playbooks/${name}.yml`;

/** Values for the site inventory's secrets: never printed (the output masks them). */
const SECRETS: EnvChanges = {
  FOOBAR_MYSQL_ROOT_PASSWORD: 'docs-root-secret',
  FOOBAR_MYSQL_REPLICATION_PASSWORD: 'docs-replication-secret',
  FOOBAR_MYSQL_APP_PASSWORD: 'docs-app-secret',
  FOOBAR_TLS_CERTIFICATE: 'docs-certificate',
  FOOBAR_TLS_KEY: 'docs-key',
};

/** A bare Debian host as the site's lb play finds it: a few folders, packages to install. */
function bareHost(name: string): MemoryHost {
  const host = new MemoryHost(name);
  for (const dir of ['/etc', '/etc/haproxy', '/etc/default', '/etc/prometheus'])
    host.dirs.set(dir, { mode: '0755', owner: 'root', group: 'root' });
  host.repository.set('nftables', ['nftables.service']);
  host.repository.set('haproxy', ['haproxy.service']);
  host.repository.set('socat', []);
  // Monitoring: the first load balancer is the monitor host.
  for (const pkg of [
    'prometheus',
    'prometheus-alertmanager',
    'prometheus-blackbox-exporter',
    'prometheus-node-exporter',
  ])
    host.repository.set(pkg, [`${pkg}.service`]);
  return host;
}

const lbOnly = () => new Map([['lb-01', bareHost('lb-01')]]);

/** `apply --limit lb-01` of the site inventory, over an in-memory lb-01 reached through `connect`. */
const applyToLb = async (root: string, connect: MemoryApply['connect']) => [
  await runApplyInMemory(root, {
    inventory: inventory('site'),
    limit: 'lb-01',
    env: SECRETS,
    hosts: lbOnly(),
    connect,
  }),
];

/** A connection that fails as the SSH transport reports it: the words are describeConnectFailure's. */
function failingConnect(facts: Partial<ConnectFacts>) {
  return async (host: string) => {
    const failure = describeConnectFailure({
      address: '203.0.113.10',
      port: 22,
      user: 'deploy',
      knownHostsFile: '~/.ssh/known_hosts',
      timeoutMs: 10_000,
      knownTypes: [],
      handshook: false,
      errors: [],
      authTried: [],
      authNotes: [],
      ...facts,
    });
    throw new TransportError(host, failure.step, failure.detail);
  };
}

/** An ed25519 public key blob (SSH wire format), for a host key the machine has never seen. */
function exampleHostKey(): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const key = Buffer.alloc(32, 7);
  const length = (n: number) => Buffer.from([0, 0, 0, n]);
  return Buffer.concat([length(type.length), type, length(key.length), key]);
}

/** Runs `work` with a fresh temp folder whose path is shown as `shown` in commands and output. */
async function withTempFolder(
  shown: string,
  work: (dir: string) => Promise<Capture[]>,
): Promise<Capture[]> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-docs-'));
  const dir = path.join(base, path.basename(shown));
  try {
    const captures = await work(dir);
    const stable = (text: string) => text.split(dir).join(shown);
    return captures.map((c) => ({ ...c, command: stable(c.command), output: stable(c.output) }));
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

const validate = (inv: string, book?: string) => (root: string) =>
  Promise.all([runCli(root, ['validate', '-i', inv, ...(book ? [book] : [])])]);

export const TROUBLE_CASES: TroubleCase[] = [
  {
    id: 'yaml-syntax-error',
    title: 'YAML syntax error',
    provenance: 'cli',
    show: [inventory('yaml-syntax')],
    run: validate(inventory('yaml-syntax')),
    expect: [{ exitCode: 1, output: /YAML syntax error/ }],
    cause:
      'The file is not valid YAML: here a flow mapping `{ ... }` is not closed. The position is where the parser gave up, which can be the line after the mistake.',
    fix: 'Close the bracket or brace (or fix the indentation) at or just before the position given. YAML indents with spaces only: a tab is reported as such.',
  },
  {
    id: 'unknown-variable',
    title: 'Unknown variable, with a suggestion',
    provenance: 'cli',
    show: [inventory('misspelt-variable')],
    run: validate(inventory('misspelt-variable')),
    expect: [{ exitCode: 1, output: /unknown variable \(did you mean "address"\?\)/ }],
    cause:
      'Every inventory key must be a known variable (see the Variables table in the README) or one a play of the playbook declares in its `vars:`. A typo never passes silently.',
    fix: "Use the suggested name. For a variable of your own, declare it with a default in a play's `vars:`; the inventory may then set it.",
  },
  {
    id: 'plain-text-secret',
    title: 'A plain-text secret is refused',
    provenance: 'cli',
    show: [inventory('plain-secret')],
    run: validate(inventory('plain-secret')),
    expect: [{ exitCode: 1, output: /plain-text secret/ }],
    cause:
      'A variable that holds a secret (its name contains password, secret, token, ...) is a plain string. Secrets never live in the inventory, which is kept in git.',
    fix: 'Give a reference instead: `{ env: NAME }` (an environment variable) or `{ file: /path/outside/git }` (relative paths are relative to the inventory).',
  },
  {
    id: 'security-defaults',
    title: 'HTTPS and the firewall are on by default',
    provenance: 'cli',
    show: [inventory('security-defaults')],
    run: validate(inventory('security-defaults')),
    expect: [{ exitCode: 1, output: /HTTPS is on by default/ }],
    cause:
      'HTTPS at the load balancer, the per-role firewall and database TLS are on unless turned off, and each needs inputs the inventory does not give.',
    fix: 'Give what each message names (`lb_tls_certificate` and `lb_tls_key`; `firewall_admin_sources`, including the machine that runs foobar-infra; `mysql_tls_certificate` and `mysql_tls_key` on database hosts), or turn the feature off with `lb_tls: false`, `firewall: false` or `mysql_tls: false`.',
  },
  {
    id: 'unknown-module',
    title: 'Unknown module',
    provenance: 'cli',
    show: [playbook('unknown-module')],
    run: validate(inventory('minimal'), playbook('unknown-module')),
    expect: [{ exitCode: 1, output: /unknown field or module \(did you mean "package"\?\)/ }],
    cause:
      "A task key is neither a task keyword (`name`, `notify`, `when`, `tags`) nor a module. The position is the playbook's; the field path `[0].tasks[0]` is the first play's first task.",
    fix: 'Use the suggested module. Every module and its arguments: [docs/modules.md](modules.md).',
  },
  {
    id: 'unknown-argument',
    title: 'Unknown or missing module argument',
    provenance: 'cli',
    show: [playbook('unknown-argument')],
    run: validate(inventory('minimal'), playbook('unknown-argument')),
    expect: [{ exitCode: 1, output: /unknown field \(did you mean "dest"\?\)/ }],
    cause:
      "Module arguments are checked against the module's schema when the playbook loads: an unknown argument is an error, and so is a required one left out.",
    fix: 'Fix the argument name; [docs/modules.md](modules.md) lists every argument of every module.',
  },
  {
    id: 'unquoted-mode',
    title: 'An unquoted file mode',
    provenance: 'cli',
    show: [playbook('unquoted-mode')],
    run: validate(inventory('minimal'), playbook('unquoted-mode')),
    expect: [{ exitCode: 1, output: /quote the mode/ }],
    cause: 'YAML 1.2 reads an unquoted `0644` as the decimal number 644, not an octal mode.',
    fix: 'Quote it: `mode: "0644"`.',
  },
  {
    id: 'template-missing-variable',
    title: 'A template uses a variable that is not defined',
    provenance: 'cli',
    show: [playbook('missing-variable'), `${FIXTURES}/templates/motd-typo.hbs`],
    run: validate(inventory('minimal'), playbook('missing-variable')),
    expect: [{ exitCode: 1, output: /variable "domian" is not defined \(host lb-01\)/ }],
    cause:
      'Templates render in strict mode: a variable that is not defined for a host is an error naming the template, the line and the host, never an empty string. `validate`, `render`, `diff` and `apply` all render every template for every host before anything else.',
    fix: "Fix the name in the template, or define the variable (inventory, or a play's `vars:`). `foobar-infra inventory -i INVENTORY --host NAME` shows what a host sees.",
  },
  {
    id: 'missing-secret',
    title: "A secret's environment variable is not set",
    provenance: 'cli',
    run: async (root) => {
      const unset = Object.fromEntries(Object.keys(SECRETS).map((k) => [k, undefined]));
      return [
        await runCli(root, ['validate', '-i', inventory('site')], unset),
        await runCli(root, ['diff', '-i', inventory('site')], unset),
      ];
    },
    expect: [
      { exitCode: 0, output: /warning: .*is not set .*apply and diff will need it/ },
      { exitCode: 1, output: /is not set \(needed by host/ },
    ],
    cause:
      'The inventory refers to secrets in environment variables that are not set in this shell. `validate` only warns (it never needs the values); `diff` and `apply` resolve every secret of the hosts in scope before connecting, and stop when one is missing.',
    fix: 'Export the variables (for example from your password manager or CI secret store) in the shell that runs `diff` or `apply`, or point the references at files outside git.',
  },
  {
    id: 'limit-matches-nothing',
    title: '`--limit` matches no host',
    provenance: 'cli',
    run: (root) =>
      withTempFolder('/tmp/out', async (dir) => [
        await runCli(root, ['render', '-i', inventory('site'), '--out', dir, '--limit', 'web-9']),
      ]),
    expect: [{ exitCode: 1, output: /--limit web-9 matches no host/ }],
    cause: 'The pattern names no host of the inventory.',
    fix: "Patterns are Ansible's: a host, a group, globs (`web-*`), unions (`lb:web`), intersections (`web:&eu`) and exclusions (`all:!lb`). `foobar-infra inventory -i INVENTORY --graph` lists the groups and hosts.",
  },
  {
    id: 'connection-refused',
    title: 'Host unreachable: connection refused',
    provenance: 'simulated',
    note: 'The connection failure is simulated; the words are those the SSH transport uses for it (src/transport/connect-errors.ts).',
    run: (root) =>
      applyToLb(
        root,
        failingConnect({
          errors: [
            {
              message: 'connect ECONNREFUSED 203.0.113.10:22',
              level: 'client-socket',
              code: 'ECONNREFUSED',
            },
          ],
        }),
      ),
    expect: [{ exitCode: 4, output: /unreachable: \[lb-01\] lb-01: connect: connection refused/ }],
    cause:
      'Nothing listens on the SSH port at that address: sshd is not running, the host is still booting, or `address` / `ssh_port` is wrong. Other wordings of the same step: `no SSH answer from ... within 10 s (connect timeout)` (a firewall drops the packets, or the host is down; `ssh_connect_timeout` sets the wait), `cannot resolve the address ...`, `... is unreachable` (no route).',
    fix: 'Check that `ssh -p PORT USER@ADDRESS` works from this machine. Unreachable hosts are counted in the recap; the other hosts go on, and the exit code is 4.',
  },
  {
    id: 'unknown-host-key',
    title: 'Host unreachable: unknown host key',
    provenance: 'simulated',
    note: 'The connection is simulated; the words are those the SSH transport uses when known_hosts does not know the host.',
    run: (root) =>
      applyToLb(root, failingConnect({ refusal: { kind: 'unknown', key: exampleHostKey() } })),
    expect: [{ exitCode: 4, output: /refusing an unknown host/ }],
    cause:
      "Host keys are checked strictly against known_hosts (the user's, or `ssh_known_hosts`), before any authentication. A host the file does not know is refused; a host whose key changed is refused with `HOST KEY CHANGED` and the known_hosts line.",
    fix: "Compare the fingerprint with the host's own (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on its console), then run once with `--accept-new`, which adds unknown keys (never changed ones). A rebuilt host: remove its old line with the `ssh-keygen -R` command the message gives.",
  },
  {
    id: 'authentication-refused',
    title: 'Host unreachable: authentication refused',
    provenance: 'simulated',
    note: 'The connection is simulated; the words are those the SSH transport uses when every key is refused.',
    run: (root) =>
      applyToLb(
        root,
        failingConnect({
          handshook: true,
          authTried: ['~/.ssh/id_ed25519', 'ssh-agent'],
          errors: [
            {
              message: 'All configured authentication methods failed',
              level: 'client-authentication',
            },
          ],
        }),
      ),
    expect: [{ exitCode: 4, output: /refused every key offered/ }],
    cause:
      "The host does not accept any key offered for `ssh_user`: the public key is not in that user's `~/.ssh/authorized_keys`, or the wrong user or key is configured. foobar-infra logs in with keys only (a key file, ssh-agent, `~/.ssh/config`), never with a password.",
    fix: 'Install the key (`ssh-copy-id -i KEY.pub deploy@HOST`), or set `ssh_user` and `ssh_key` in the inventory.',
  },
  {
    id: 'locked-host',
    title: "Another run holds a host's lock",
    provenance: 'simulated',
    note: 'The host is simulated; the lock holder is reported as the lock script on a host reports it.',
    run: (root) =>
      applyToLb(root, async (host) => {
        const driver = new MemoryDriver(bareHost(host));
        driver.gather = async () => {
          throw new LockError(host, [
            'exclusive since 2025-06-02T09:14:03Z by apply by ops@build-01 pid 48213',
          ]);
        };
        return driver;
      }),
    expect: [{ exitCode: 5, output: /another foobar-infra run holds this host's lock/ }],
    cause:
      "`apply` takes each host's lock exclusively; `diff` and `apply --check` share it with each other. The message names the holder: its mode, since when, and the command, user, machine and process. The lock is held by the holder's SSH connection, so it is freed as soon as that run ends or its connection drops.",
    fix: 'Wait for the other run, or let this one wait: `--lock-timeout SECONDS`. `status` takes no lock and answers while an apply runs.',
  },
  {
    id: 'firewall-lockout',
    title: 'A firewall ruleset that would lock the tool out is refused',
    provenance: 'simulated',
    note: "The host is simulated: it sees this run connect from 192.0.2.1. The ruleset is the site's own template, rendered from the inventory shown.",
    show: [inventory('ssh-elsewhere')],
    run: async (root) => [
      await runApplyInMemory(root, {
        inventory: inventory('ssh-elsewhere'),
        check: true,
        limit: 'lb-01',
        tags: ['firewall'],
        env: SECRETS,
        hosts: lbOnly(),
      }),
    ],
    expect: [
      {
        exitCode: 3,
        output:
          /refused: the rendered ruleset \(nftables\.conf\.hbs\) would block this run's SSH connection/,
      },
    ],
    cause:
      "Before loading a ruleset (in `apply`, and already in `diff` and `apply --check`), the firewall module evaluates the rendered rules for this run's own SSH traffic, from the address the host sees the controller connect from. Here `firewall_admin_sources` does not include that address, so the next run could not get in.",
    fix: "Add this machine's address (as the host sees it: NAT and jump hosts change it) or its prefix to `firewall_admin_sources`. Even a ruleset that passes this check is kept only once a new SSH connection confirms it; otherwise the host restores the previous one after `firewall_confirm_timeout` seconds.",
  },
  {
    id: 'diff-exit-codes',
    title: '`diff` exit codes: 0 converged, 2 changes pending, 1 error',
    provenance: 'cli',
    run: (root) =>
      withTempFolder('/tmp/before', async (dir) => [
        await runCli(root, ['render', '-i', inventory('site'), '--out', dir]),
        await runCli(root, ['diff', '-i', inventory('site'), '--against', dir]),
        await runCli(root, ['diff', '-i', inventory('site-changed'), '--against', dir]),
        await runCli(root, ['diff', '-i', inventory('site'), '--against', `${dir}-missing`]),
      ]),
    expect: [
      { exitCode: 0, output: /^rendered \d+ files for 3 hosts/ },
      { exitCode: 0, output: /converged/ },
      { exitCode: 2, output: /maxconn 8192/ },
      { exitCode: 1, output: /cannot read it/ },
    ],
    cause:
      "`diff` follows Terraform's `-detailed-exitcode`, so CI can branch on it: 0 when every host matches, 2 when changes are pending, 1 for any error (bad input, a host unreachable, a task failed, a candidate refused by its validator). 2 is never given when something failed. The same codes hold live (`diff -i INVENTORY`, over SSH) and offline (`--against` an earlier `render --out`), as here, where `site-changed.yml` is `site.yml` with `lb_maxconn: 8192`.",
    fix: 'In CI, treat 2 as "a plan to review", not as a failure; 1 always needs a look. The other commands use the exit codes of the table in the README (3 a task failed, 4 a host unreachable, 5 locked, 130 interrupted).',
  },
  {
    id: 'interrupted-run',
    title: 'An interrupted run',
    provenance: 'simulated',
    note: "The hosts are simulated and Ctrl-C is delivered to apply's own signal handler right after the first change that recorded a handler. The second command is the next run on the same host.",
    run: async (root) => {
      const hosts = lbOnly();
      const options = { inventory: inventory('site'), limit: 'lb-01', env: SECRETS, hosts };
      return [
        await runApplyInMemory(root, { ...options, interruptAfterHandlerRecorded: true }),
        await runApplyInMemory(root, options),
      ];
    },
    expect: [
      { exitCode: 130, output: /interrupted: no task started after the signal/ },
      { exitCode: 0, output: /handlers left pending by an earlier run/ },
    ],
    cause:
      'Ctrl-C (or SIGTERM) during `apply`: the steps in flight finish (each is one atomic script on its host), nothing else starts, the recap is printed and the exit code is 130. A handler whose change was made is still recorded on the host. A second Ctrl-C stops at once; temp files on the hosts are still removed when the connection drops.',
    fix: 'Run `apply` again: it performs the handlers left pending and converges the rest. `diff` shows what is left before you do.',
  },
];
