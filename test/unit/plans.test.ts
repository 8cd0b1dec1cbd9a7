import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import type { Fact, FactRequest } from '../../src/facts/types';
import { factKey } from '../../src/facts/types';
import type { Change } from '../../src/changes/model';
import { FactView } from '../../src/modules/fact-view';
import type { ModuleContext } from '../../src/modules/module';
import { MODULES } from '../../src/modules/registry';
import { TemplateEngine } from '../../src/render/template-engine';
import { fixture } from '../support/cli';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ctx: ModuleContext = {
  host: 'web-01',
  vars: { who: 'world', inventory_hostname: 'web-01' },
  templates: new TemplateEngine(fixture('templates')),
  filesDir: fixture('files'),
  containsSecret: (t) => t.includes('s3cret'),
};

/** Runs a module's plan against the given facts: {args, facts} → changes. */
function plan(module: string, rawArgs: unknown, facts: [FactRequest, Fact][]): Change[] {
  const m = MODULES[module]!;
  const args = m.args.parse(rawArgs) as never;
  const wanted = m.facts(args, ctx).map(factKey).sort();
  assert.deepEqual(
    wanted,
    facts.map(([r]) => factKey(r)).sort(),
    'the module asks for exactly these facts',
  );
  return m.plan(args, new FactView(new Map(facts.map(([r, f]) => [factKey(r), f]))), ctx);
}
const kinds = (changes: Change[]) =>
  changes.map((c) => (c.kind === 'service' ? `${c.action} ${c.unit}` : c.kind));
const file = (path: string, over: Record<string, unknown> = {}): [FactRequest, Fact] => [
  { kind: 'file', path },
  {
    kind: 'file',
    value: {
      path,
      exists: true,
      type: 'file',
      mode: '0644',
      owner: 'root',
      group: 'root',
      size: 1,
      ...over,
    },
  },
];
const absent = (path: string): [FactRequest, Fact] => [
  { kind: 'file', path },
  { kind: 'file', value: { path, exists: false } },
];
const unit = (
  name: string,
  activeState: string,
  unitFileState: string,
  needDaemonReload = false,
): [FactRequest, Fact] => [
  { kind: 'units', names: [name] },
  {
    kind: 'units',
    value: new Map([
      [
        name,
        { name, loadState: 'loaded', activeState, subState: '', unitFileState, needDaemonReload },
      ],
    ]),
  },
];

describe('module plans: {args, facts} → changes (empty = converged)', () => {
  describe('template', () => {
    const args = { src: 'uses-partial.hbs', dest: '/etc/x.conf', mode: '0640' };
    const content = 'hello world';
    it('writes a new file', () => {
      const changes = plan('template', args, [absent('/etc/x.conf')]);
      assert.deepEqual(kinds(changes), ['write']);
      assert.equal((changes[0] as { content: Buffer }).content.toString(), content);
      assert.equal((changes[0] as { mode: string }).mode, '0640');
    });
    it('does nothing when content and attributes match', () => {
      assert.deepEqual(
        plan('template', args, [file('/etc/x.conf', { sha256: sha(content), mode: '0640' })]),
        [],
      );
    });
    it('fixes only the mode when only the mode differs', () => {
      const changes = plan('template', args, [file('/etc/x.conf', { sha256: sha(content) })]);
      assert.deepEqual(
        changes.map((c) => [c.kind, (c as { mode?: string }).mode]),
        [['attributes', '0640']],
      );
    });
    it('rewrites changed content and carries validate and backup', () => {
      const changes = plan('template', { ...args, validate: 'check %s', backup: true }, [
        file('/etc/x.conf', { sha256: sha('old') }),
      ]);
      assert.equal((changes[0] as { validate?: string }).validate, 'check %s');
      assert.equal((changes[0] as { backup: boolean }).backup, true);
    });
    it('keeps the existing mode when none is asked', () => {
      const changes = plan('template', { src: 'uses-partial.hbs', dest: '/etc/x.conf' }, [
        file('/etc/x.conf', { sha256: sha('old'), mode: '0600' }),
      ]);
      assert.equal((changes[0] as { mode: string }).mode, '0600');
    });
  });

  describe('package', () => {
    const pk = (installed: Record<string, boolean>): [FactRequest, Fact] => [
      { kind: 'packages', names: Object.keys(installed) },
      {
        kind: 'packages',
        value: new Map(Object.entries(installed).map(([n, i]) => [n, { name: n, installed: i }])),
      },
    ];
    it('installs only what is missing', () => {
      const changes = plan('package', { name: ['nginx', 'haproxy'] }, [
        pk({ nginx: true, haproxy: false }),
      ]);
      assert.deepEqual(changes, [{ kind: 'packages', install: ['haproxy'], remove: [] }]);
    });
    it('converged when all are present', () =>
      assert.deepEqual(plan('package', { name: 'nginx' }, [pk({ nginx: true })]), []));
    it('removes what is present when absent is asked', () => {
      assert.deepEqual(
        plan('package', { name: ['aa', 'bb'], state: 'absent' }, [pk({ aa: true, bb: false })]),
        [{ kind: 'packages', install: [], remove: ['aa'] }],
      );
    });
  });

  describe('service', () => {
    it('starts and enables a stopped, disabled service', () => {
      assert.deepEqual(
        kinds(
          plan('service', { name: 'nginx', state: 'started', enabled: true }, [
            unit('nginx', 'inactive', 'disabled'),
          ]),
        ),
        ['start nginx.service', 'enable nginx.service'],
      );
    });
    it('converged when running and enabled', () => {
      assert.deepEqual(
        plan('service', { name: 'nginx', state: 'started', enabled: true, daemon_reload: true }, [
          unit('nginx', 'active', 'enabled'),
        ]),
        [],
      );
    });
    it('daemon-reload only when systemd says a unit file changed', () => {
      assert.deepEqual(
        kinds(
          plan('service', { name: 'app', state: 'restarted', daemon_reload: true }, [
            unit('app', 'active', 'enabled', true),
          ]),
        ),
        ['daemon-reload app.service', 'restart app.service'],
      );
    });
    it('reloaded on a stopped service starts it', () => {
      assert.deepEqual(
        kinds(
          plan('service', { name: 'haproxy', state: 'reloaded' }, [
            unit('haproxy', 'failed', 'enabled'),
          ]),
        ),
        ['start haproxy.service'],
      );
    });
    it('stops a running service', () => {
      assert.deepEqual(
        kinds(
          plan('service', { name: 'x', state: 'stopped', enabled: false }, [
            unit('x', 'active', 'enabled'),
          ]),
        ),
        ['stop x.service', 'disable x.service'],
      );
    });
  });

  describe('file', () => {
    it('creates a missing directory with its attributes', () => {
      assert.deepEqual(
        plan('file', { path: '/opt/a', state: 'directory', owner: 'app' }, [absent('/opt/a')]),
        [{ kind: 'mkdir', path: '/opt/a', mode: '0755', owner: 'app', group: 'root' }],
      );
    });
    it('a symlink pointing elsewhere is re-pointed; the right one is left alone', () => {
      assert.deepEqual(
        kinds(
          plan('file', { path: '/l', state: 'link', src: '/a' }, [
            file('/l', { type: 'link', linkTarget: '/b' }),
          ]),
        ),
        ['symlink'],
      );
      assert.deepEqual(
        plan('file', { path: '/l', state: 'link', src: '/a' }, [
          file('/l', { type: 'link', linkTarget: '/a' }),
        ]),
        [],
      );
    });
    it('absent removes only what exists', () => {
      assert.deepEqual(kinds(plan('file', { path: '/x', state: 'absent' }, [file('/x')])), [
        'remove',
      ]);
      assert.deepEqual(plan('file', { path: '/x', state: 'absent' }, [absent('/x')]), []);
    });
    it('refuses to turn a file into a directory', () => {
      assert.throws(
        () => plan('file', { path: '/x', state: 'directory' }, [file('/x')]),
        /not a directory/,
      );
    });
  });

  describe('command', () => {
    it('creates: skipped when the path exists, run otherwise', () => {
      assert.deepEqual(
        plan('command', { cmd: 'make', creates: '/done' }, [
          [
            { kind: 'exists', path: '/done' },
            { kind: 'exists', value: true },
          ],
        ]),
        [],
      );
      const run = plan('command', { cmd: 'make', creates: '/done' }, [
        [
          { kind: 'exists', path: '/done' },
          { kind: 'exists', value: false },
        ],
      ]);
      assert.deepEqual(run, [
        {
          kind: 'command',
          argv: undefined,
          script: 'make',
          chdir: undefined,
          reason: '/done does not exist',
        },
      ]);
    });
    it('unless: skipped when the check exits 0', () => {
      assert.deepEqual(
        plan('command', { argv: ['x'], unless: 'test -f /y' }, [
          [
            { kind: 'exit', script: 'test -f /y' },
            { kind: 'exit', value: 0 },
          ],
        ]),
        [],
      );
      assert.equal(
        plan('command', { argv: ['x'], unless: 'test -f /y' }, [
          [
            { kind: 'exit', script: 'test -f /y' },
            { kind: 'exit', value: 1 },
          ],
        ]).length,
        1,
      );
    });
  });

  describe('user', () => {
    const account = (value: Record<string, unknown>): [FactRequest, Fact] => [
      { kind: 'account', name: 'foobar' },
      { kind: 'account', value: { name: 'foobar', ...value } as never },
    ];
    it('creates a missing system account with its own group and no login', () => {
      const changes = plan('user', { name: 'foobar', system: true, home: '/opt/foobar' }, [
        account({ exists: false }),
      ]);
      assert.deepEqual((changes[0] as { argv: string[] }).argv, [
        'useradd',
        '--user-group',
        '--shell',
        '/usr/sbin/nologin',
        '--system',
        '--home-dir',
        '/opt/foobar',
        '--create-home',
        '--',
        'foobar',
      ]);
    });
    it('converged when the account matches', () => {
      assert.deepEqual(
        plan('user', { name: 'foobar', home: '/opt/foobar' }, [
          account({
            exists: true,
            home: '/opt/foobar',
            shell: '/usr/sbin/nologin',
            groups: ['foobar'],
          }),
        ]),
        [],
      );
    });
    it('adds missing groups and fixes the shell; removes an absent one', () => {
      const changes = plan('user', { name: 'foobar', groups: ['adm'] }, [
        account({ exists: true, home: '/x', shell: '/bin/bash', groups: ['foobar'] }),
      ]);
      assert.deepEqual((changes[0] as { argv: string[] }).argv, [
        'usermod',
        '--shell',
        '/usr/sbin/nologin',
        '--append',
        '--groups',
        'adm',
        '--',
        'foobar',
      ]);
      assert.deepEqual(
        (
          plan('user', { name: 'foobar', state: 'absent' }, [account({ exists: true })])[0] as {
            argv: string[];
          }
        ).argv,
        ['userdel', '--', 'foobar'],
      );
    });
  });

  describe('copy (a tree)', () => {
    const tree = (
      entries: [string, { type: 'file' | 'directory'; sha256?: string }][],
    ): [FactRequest, Fact] => [
      { kind: 'tree', path: '/srv/app' },
      {
        kind: 'tree',
        value: {
          path: '/srv/app',
          isDirectory: true,
          entries: new Map(
            entries.map(([k, e]) => [
              k,
              { mode: e.type === 'file' ? '0644' : '0755', owner: 'root', group: 'root', ...e },
            ]),
          ),
        },
      },
    ];
    it('transfers only the files that differ and deletes extras', () => {
      const changes = plan('copy', { src: 'app', dest: '/srv/app', delete: true }, [
        tree([
          ['index.js', { type: 'file', sha256: sha('console.log(1);\n') }],
          ['lib', { type: 'directory' }],
          ['lib/util.js', { type: 'file', sha256: sha('old') }],
          ['stale', { type: 'directory' }],
          ['stale/x', { type: 'file', sha256: sha('x') }],
        ]),
      ]);
      assert.deepEqual(
        changes.map((c) => `${c.kind} ${(c as { path: string }).path}`),
        ['write /srv/app/lib/util.js', 'remove /srv/app/stale'],
      );
    });
    it('a missing destination gets every file', () => {
      const changes = plan('copy', { src: 'app', dest: '/srv/app' }, [
        [
          { kind: 'tree', path: '/srv/app' },
          { kind: 'tree', value: { path: '/srv/app', isDirectory: false, entries: new Map() } },
        ],
      ]);
      assert.deepEqual(
        changes.map((c) => `${c.kind} ${(c as { path: string }).path}`),
        [
          'mkdir /srv/app',
          'mkdir /srv/app/lib',
          'write /srv/app/index.js',
          'write /srv/app/lib/util.js',
        ],
      );
    });
  });
});

describe('ssh_key_login: {args, facts} → a check, no changes', () => {
  const client = {
    address: '192.0.2.1',
    port: 40000,
    serverAddress: '192.0.2.10',
    serverPort: 22,
  };
  const facts = (
    over: { client?: typeof client | undefined; keys?: number } = {},
    user = 'deploy',
  ): [FactRequest, Fact][] => {
    const m = MODULES.ssh_key_login!;
    const [sshClient, keys] = m.facts(m.args.parse({ user }) as never, ctx);
    return [
      [sshClient!, { kind: 'ssh_client', value: 'client' in over ? over.client : client }],
      [keys!, { kind: 'exit', value: over.keys ?? 0 }],
    ];
  };

  it('logged in over SSH as a user with authorized keys: nothing to do', () => {
    assert.deepEqual(plan('ssh_key_login', { user: 'deploy' }, facts()), []);
  });

  it('refuses root, a user without authorized keys, and a run that did not come over SSH', () => {
    assert.throws(
      () => plan('ssh_key_login', { user: 'root' }, facts({}, 'root')),
      /logs in as root: turning root login off would lock it out/,
    );
    assert.throws(
      () => plan('ssh_key_login', { user: 'deploy' }, facts({ keys: 1 })),
      /deploy has no ~\/\.ssh\/authorized_keys/,
    );
    assert.throws(
      () => plan('ssh_key_login', { user: 'deploy' }, facts({ client: undefined })),
      /did not come in over SSH/,
    );
  });
});
