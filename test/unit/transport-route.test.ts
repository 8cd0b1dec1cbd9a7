import { strict as assert } from 'node:assert';
import { describeConnectFailure, type ConnectFacts } from '../../src/transport/connect-errors';
import { parseJumpSpec, resolveRoute, routeKey } from '../../src/transport/route';
import { parseSshConfig } from '../../src/transport/ssh-config';
import type { ConnectTarget } from '../../src/transport/types';

const CONFIG = parseSshConfig(
  [
    'Host bastion',
    '  HostName 192.0.2.10',
    '  User jump',
    '  Port 2201',
    '  IdentityFile ~/.ssh/bastion_key',
    'Host web-*',
    '  HostName %h.lab',
    '  User deploy',
    '  Port 2222',
    '  IdentityFile ~/.ssh/id_%r',
    '  ProxyJump bastion',
    'Host direct',
    '  ProxyJump none',
  ].join('\n'),
);
const CONTEXT = { home: '/home/op', localUser: 'op' };

function target(overrides: Partial<ConnectTarget> = {}): ConnectTarget {
  return {
    host: 'web-01',
    address: 'web-01',
    port: 22,
    user: 'root',
    acceptNew: false,
    connectTimeoutMs: 10_000,
    become: false,
    ...overrides,
  };
}

describe('transport: route (inventory + ssh config)', () => {
  it('lets ssh config fill what the inventory left at its defaults', () => {
    const route = resolveRoute(
      target({ defaulted: { address: true, port: true, user: true } }),
      CONFIG,
      CONTEXT,
    );
    assert.ok(!('error' in route));
    assert.deepEqual(route.target, {
      label: 'web-01',
      address: 'web-01.lab',
      port: 2222,
      user: 'deploy',
      keyFiles: ['/home/op/.ssh/id_deploy'],
      explicitKey: false,
    });
    assert.deepEqual(route.hops, [
      {
        label: 'bastion',
        address: '192.0.2.10',
        port: 2201,
        user: 'jump',
        keyFiles: ['/home/op/.ssh/bastion_key'],
        explicitKey: false,
      },
    ]);
  });

  it('keeps explicit inventory values over ssh config', () => {
    const route = resolveRoute(
      target({
        address: 'web-01',
        port: 2022,
        user: 'admin',
        keyFile: '~/keys/web',
        proxyJump: 'none',
      }),
      CONFIG,
      CONTEXT,
    );
    assert.ok(!('error' in route));
    assert.deepEqual(route.hops, []);
    assert.deepEqual(route.target, {
      label: 'web-01',
      address: 'web-01',
      port: 2022,
      user: 'admin',
      keyFiles: ['/home/op/keys/web'],
      explicitKey: true,
    });
  });

  it('follows an inventory jump chain; a hop without key of its own uses the target key', () => {
    const route = resolveRoute(
      target({ address: '10.0.0.5', keyFile: '/k/id', proxyJump: 'bastion,ops@10.9.9.9:2200' }),
      CONFIG,
      CONTEXT,
    );
    assert.ok(!('error' in route));
    assert.deepEqual(
      route.hops.map((h) => [h.label, h.user, h.address, h.port, h.keyFiles, h.explicitKey]),
      [
        ['bastion', 'jump', '192.0.2.10', 2201, ['/home/op/.ssh/bastion_key'], false],
        ['ops@10.9.9.9:2200', 'ops', '10.9.9.9', 2200, ['/k/id'], true],
      ],
    );
    assert.equal(
      routeKey([...route.hops, route.target]),
      'jump@192.0.2.10:2201 > ops@10.9.9.9:2200 > root@10.0.0.5:22',
    );
  });

  it('logs in to a jump host without a user as the local user, like OpenSSH', () => {
    const route = resolveRoute(target({ address: 'x', proxyJump: 'gw' }), CONFIG, CONTEXT);
    assert.ok(!('error' in route));
    assert.equal(route.hops[0].user, 'op');
    assert.equal(route.hops[0].port, 22);
  });

  it('says which jump spec it cannot read', () => {
    const route = resolveRoute(target({ proxyJump: 'user@host:99999' }), CONFIG, CONTEXT);
    assert.deepEqual(route, { error: 'jump host "user@host:99999" is not [user@]host[:port]' });
  });

  const specs: [string, unknown][] = [
    ['host', [{ user: undefined, host: 'host', port: undefined }]],
    ['u@h:2', [{ user: 'u', host: 'h', port: 2 }]],
    ['ssh://u@h:2', [{ user: 'u', host: 'h', port: 2 }]],
    ['u@[::1]:22', [{ user: 'u', host: '::1', port: 22 }]],
    [
      'a, b@c',
      [
        { user: undefined, host: 'a', port: undefined },
        { user: 'b', host: 'c', port: undefined },
      ],
    ],
    ['u@', { error: 'jump host "u@" is not [user@]host[:port]' }],
    ['h:0', { error: 'jump host "h:0" is not [user@]host[:port]' }],
  ];
  for (const [spec, want] of specs) {
    it(`reads the jump spec ${JSON.stringify(spec)}`, () =>
      assert.deepEqual(parseJumpSpec(spec), want));
  }
});

describe('transport: connect failure messages', () => {
  const key = Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.alloc(36, 1),
  ]);
  const base: ConnectFacts = {
    address: '127.0.0.1',
    port: 2222,
    user: 'deploy',
    knownHostsFile: '/home/op/.ssh/known_hosts',
    timeoutMs: 1500,
    knownTypes: [],
    handshook: false,
    errors: [],
    authTried: [],
    authNotes: [],
  };

  it('an unknown host: names the address, the file and --accept-new', () => {
    const f = describeConnectFailure({ ...base, refusal: { kind: 'unknown', key } });
    assert.equal(f.step, 'host key');
    assert.match(f.detail, /127\.0\.0\.1:2222 is not in \/home\/op\/\.ssh\/known_hosts/);
    assert.match(f.detail, /--accept-new/);
    assert.match(f.detail, /ssh-ed25519 key SHA256:/);
  });

  it('a changed key: names the file and line, and how to remove it', () => {
    const f = describeConnectFailure({
      ...base,
      refusal: { kind: 'changed', key, line: 7, knownType: 'ssh-ed25519' },
    });
    assert.equal(f.step, 'host key');
    assert.match(f.detail, /CHANGED/);
    assert.match(f.detail, /\/home\/op\/\.ssh\/known_hosts:7/);
    assert.match(f.detail, /ssh-keygen -R '\[127\.0\.0\.1\]:2222'/);
  });

  const cases: [string, Partial<ConnectFacts>, string, RegExp][] = [
    [
      'a refused port',
      { errors: [{ message: 'x', level: 'client-socket', code: 'ECONNREFUSED' }] },
      'connect',
      /connection refused by 127\.0\.0\.1:2222/,
    ],
    [
      'an unknown name',
      { errors: [{ message: 'x', level: 'client-socket', code: 'ENOTFOUND' }] },
      'connect',
      /cannot resolve the address 127\.0\.0\.1/,
    ],
    [
      'a silent server',
      { errors: [{ message: 'x', level: 'client-timeout' }] },
      'connect',
      /within 1\.5 s \(connect timeout\)/,
    ],
    [
      'a slow login',
      { handshook: true, errors: [{ message: 'x', level: 'client-timeout' }] },
      'authenticate',
      /did not finish authentication/,
    ],
    [
      'refused keys',
      {
        handshook: true,
        authTried: ['/k/a', 'ssh-agent'],
        authNotes: ['key file /k/b is passphrase-protected (load it into ssh-agent)'],
        errors: [
          {
            message: 'All configured authentication methods failed',
            level: 'client-authentication',
          },
        ],
      },
      'authenticate',
      /deploy@127\.0\.0\.1:2222 refused every key offered \(\/k\/a, ssh-agent\); key file \/k\/b is passphrase/,
    ],
    [
      'no key at all',
      { handshook: true, errors: [{ message: 'x', level: 'client-authentication' }] },
      'authenticate',
      /was offered no key/,
    ],
    [
      'a key type gone',
      {
        knownTypes: ['ssh-rsa'],
        errors: [{ message: 'Handshake failed: no matching host key format', level: 'handshake' }],
      },
      'host key',
      /offers no host key of the type .* trusts for it \(ssh-rsa\)/,
    ],
    [
      'not an SSH server',
      { errors: [{ message: 'Connection lost before handshake', level: 'protocol' }] },
      'connect',
      /before the SSH handshake/,
    ],
  ];
  for (const [name, facts, step, detail] of cases) {
    it(`${name} → ${step}`, () => {
      const f = describeConnectFailure({ ...base, ...facts });
      assert.equal(f.step, step);
      assert.match(f.detail, detail);
      assert.doesNotMatch(f.detail, /\n/);
    });
  }
});
