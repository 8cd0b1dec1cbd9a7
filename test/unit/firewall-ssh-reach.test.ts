import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NftParseError, parseNftRuleset } from '../../src/firewall/nft-ruleset';
import { checkSshReach, type ReachVerdict } from '../../src/firewall/ssh-reach';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'firewall');

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES, name), 'utf8');
}

/** What a case expects: ok, or blocked (certain or not) on a line, with words of the reason. */
type Expect = 'ok' | { certain: boolean; line: number; reason: RegExp };

function expectVerdict(got: ReachVerdict, want: Expect): void {
  if (want === 'ok') {
    assert.deepEqual(got, { ok: true });
    return;
  }
  assert.equal(got.ok, false, `expected a block, got ${JSON.stringify(got)}`);
  if (got.ok) return;
  assert.equal(got.certain, want.certain, got.reason);
  assert.equal(got.line, want.line, got.reason);
  assert.match(got.reason, want.reason);
}

/** One inet table with an input chain (policy drop unless told), its rules from line 4 on. */
function inputChain(
  rules: string[],
  opts: { policy?: 'accept' | 'drop'; extra?: string } = {},
): string {
  return [
    'table inet t {',
    opts.extra ?? '',
    `  chain input { type filter hook input priority filter; policy ${opts.policy ?? 'drop'};`,
    ...rules.map((r) => `    ${r}`),
    '  }',
    '}',
    '',
  ].join('\n');
}

describe('firewall: SSH reach of an nftables ruleset (fixtures)', () => {
  const cases: [file: string, source: string, port: number, want: Expect][] = [
    // The ruleset the tool generates: SSH only from the admin sources.
    ['role-typical.nft', '10.231.0.1', 22, 'ok'],
    ['role-typical.nft', '192.0.2.77', 22, 'ok'],
    ['role-typical.nft', '2001:db8::5', 22, 'ok'],
    ['role-typical.nft', '::ffff:10.231.0.1', 22, 'ok'],
    [
      'role-typical.nft',
      '10.231.0.2',
      22,
      {
        certain: true,
        line: 8,
        reason:
          /^the input chain "input" of table inet foobar drops new connections by policy \(line 8\)$/,
      },
    ],
    [
      'role-typical.nft',
      '2001:db9::1',
      22,
      { certain: true, line: 8, reason: /drops new connections by policy/ },
    ],
    [
      'ssh-not-opened.nft',
      '10.231.0.1',
      22,
      { certain: true, line: 8, reason: /by policy \(line 8\)/ },
    ],
    // The established packet passes, the new connection does not.
    [
      'established-first.nft',
      '10.231.0.1',
      22,
      {
        certain: true,
        line: 8,
        reason: /^line 8 drops new connections: tcp dport ssh counter drop$/,
      },
    ],
    [
      'iifname-drop.nft',
      '10.231.0.1',
      22,
      {
        certain: false,
        line: 7,
        reason:
          /^line 7 may drop new connections \(cannot tell whether "iifname "eth1"" matches\)$/,
      },
    ],
    ['defines-sets.nft', '10.20.30.40', 22, 'ok'], // 10.0.0.0/8 in $ADMINS
    ['defines-sets.nft', '198.51.100.7', 22, 'ok'], // $OFFICE inside $ADMINS
    ['defines-sets.nft', '192.168.1.15', 22, 'ok'], // a range in $ADMINS
    ['defines-sets.nft', '2001:db8::11', 22, 'ok'], // @admins6, continued line
    [
      'defines-sets.nft',
      '192.168.1.21',
      22,
      { certain: true, line: 26, reason: /by policy \(line 26\)/ },
    ],
    [
      'defines-sets.nft',
      '10.66.3.4',
      22,
      {
        certain: true,
        line: 28,
        reason: /^line 28 drops new connections: ip saddr @blocklist counter drop$/,
      },
    ],
    ['defines-sets.nft', '2001:db8::12', 22, { certain: true, line: 26, reason: /by policy/ }],
    ['ipv6-ip-only.nft', '10.1.1.1', 22, 'ok'],
    [
      'ipv6-ip-only.nft',
      '2001:db8::1',
      22,
      { certain: true, line: 6, reason: /by policy \(line 6\)/ },
    ],
    [
      'ipv6-ip-only.nft',
      '192.0.2.1',
      22,
      {
        certain: true,
        line: 9,
        reason: /^line 9 drops new connections: ip saddr != 10\.0\.0\.0\/8/,
      },
    ],
    // The ip table drops both packets; an IPv6 controller never meets it.
    [
      'two-tables.nft',
      '10.231.0.1',
      22,
      {
        certain: true,
        line: 8,
        reason: /^line 8 drops it: tcp dport 22 ip saddr != 192\.0\.2\.0\/24 drop$/,
      },
    ],
    ['two-tables.nft', '192.0.2.9', 22, 'ok'],
    ['two-tables.nft', '2001:db8::1', 22, 'ok'],
    ['jump-return.nft', '10.1.2.3', 22, 'ok'], // accepted in ssh_in
    ['jump-return.nft', '10.9.9.9', 22, 'ok'], // returned, then accepted on line 14
    [
      'jump-return.nft',
      '10.2.0.1',
      22,
      { certain: true, line: 12, reason: /by policy \(line 12\)/ },
    ],
    // `ip saddr != @admins` does not match an IPv6 packet: no return, accepted.
    ['jump-return.nft', '2001:db8::1', 22, 'ok'],
    ['policy-accept-drop.nft', '10.0.0.1', 22, 'ok'],
    [
      'policy-accept-drop.nft',
      '203.0.113.50',
      22,
      { certain: true, line: 6, reason: /^line 6 drops it: .* reject with tcp reset$/ },
    ],
    [
      'parse-error.nft',
      '10.0.0.1',
      22,
      { certain: false, line: 9, reason: /^line 9 cannot be checked: "add rule" is not supported/ },
    ],
    ['custom-port.nft', '10.231.0.1', 2222, 'ok'],
    [
      'custom-port.nft',
      '10.231.0.1',
      22,
      { certain: true, line: 7, reason: /by policy \(line 7\)/ },
    ],
    ['custom-port.nft', '10.231.1.1', 2222, { certain: true, line: 7, reason: /by policy/ }],
    ['distro-default.nft', '203.0.113.1', 22, 'ok'],
    ['distro-default.nft', '2001:db8::1', 22, 'ok'],
    [
      'distro-default.nft',
      '203.0.113.1',
      2222,
      { certain: true, line: 9, reason: /by policy \(line 9\)/ },
    ],
  ];
  for (const [file, source, port, want] of cases) {
    it(`${file}: ${source} to port ${port} → ${want === 'ok' ? 'ok' : want.certain ? 'blocked' : 'cannot prove'}`, () =>
      expectVerdict(checkSshReach(fixture(file), { source, port }), want));
  }
});

describe('firewall: SSH reach, rule semantics', () => {
  const v4 = { source: '10.0.0.1', port: 22 };
  const cases: [name: string, ruleset: string, want: Expect, probe?: typeof v4][] = [
    ['an empty ruleset', '', 'ok'],
    ['only comments', '#!/usr/sbin/nft -f\n# nothing\n', 'ok'],
    [
      'no input hook',
      'table inet t { chain out { type filter hook output priority 0; policy drop; } }',
      'ok',
    ],
    ['a flushed ruleset', `${inputChain([])}flush ruleset\n`, 'ok'],
    ['a deleted table', `${inputChain([])}delete table inet t\n`, 'ok'],
    [
      'a table without a family is ip',
      'table filter { chain input { type filter hook input priority 0; policy drop; } }',
      { certain: true, line: 1, reason: /table ip filter drops it by policy/ },
    ],
    [
      'an ip table is not met by IPv6',
      'table filter { chain input { type filter hook input priority 0; policy drop; } }',
      'ok',
      { source: '2001:db8::1', port: 22 },
    ],
    [
      'an accept behind an interface name is not relied on',
      inputChain(['iifname "eth0" tcp dport 22 accept']),
      {
        certain: true,
        line: 3,
        reason:
          /by policy \(line 3\); line 4 would accept it only if "iifname "eth0"" matches, which cannot be checked$/,
      },
    ],
    [
      'nor one behind a rate limit',
      inputChain(['ct state established accept', 'tcp dport 22 limit rate 3/minute accept']),
      {
        certain: true,
        line: 3,
        reason: /line 5 would accept it only if "limit rate 3\/minute" matches/,
      },
    ],
    [
      'an accept that does not depend on the interface',
      inputChain(['iifname "eth0" accept'], { policy: 'accept' }),
      'ok',
    ],
    [
      'a possible drop, then a certain one: certain',
      inputChain(['iifname "eth1" drop']),
      { certain: true, line: 3, reason: /by policy/ },
    ],
    ['iif "lo" never matches', inputChain(['iif "lo" drop', 'tcp dport 22 accept']), 'ok'],
    [
      'iifname != "lo" always does',
      inputChain(['iifname != "lo" tcp dport 22 drop'], { policy: 'accept' }),
      { certain: true, line: 4, reason: /^line 4 drops it: iifname != "lo" tcp dport 22 drop$/ },
    ],
    ['udp dport never matches TCP', inputChain(['udp dport 22 drop', 'th dport 22 accept']), 'ok'],
    [
      'meta l4proto, ip protocol, ip6 nexthdr',
      inputChain([
        'meta l4proto udp drop',
        'ip protocol { udp, icmp } drop',
        'ip6 nexthdr tcp tcp dport 22 accept',
        'ip protocol tcp tcp dport ssh accept',
      ]),
      'ok',
    ],
    [
      'icmp types never match',
      inputChain([
        'icmp type echo-request drop',
        'icmpv6 type { nd-neighbor-solicit } drop',
        'tcp dport 22 accept',
      ]),
      'ok',
    ],
    [
      'meta nfproto',
      inputChain(['meta nfproto ipv6 drop', 'meta nfproto ipv4 tcp dport 22 accept']),
      'ok',
    ],
    [
      'port ranges and comparisons',
      inputChain(['tcp dport 1-21 drop', 'tcp dport > 1024 drop', 'tcp dport 20 - 30 accept']),
      'ok',
    ],
    [
      'tcp dport < 1024',
      inputChain(['tcp dport < 1024 drop'], { policy: 'accept' }),
      { certain: true, line: 4, reason: /drops it: tcp dport < 1024 drop/ },
    ],
    [
      'ct state != established',
      inputChain(['ct state != established drop', 'accept']),
      {
        certain: true,
        line: 4,
        reason: /^line 4 drops new connections: ct state != established drop$/,
      },
    ],
    [
      'address ranges',
      'table ip t { chain input { type filter hook input priority 0; policy drop;\n ip saddr 10.0.0.0 - 10.0.0.255 tcp dport 22 accept } }',
      'ok',
    ],
    [
      'a concatenation in a named set',
      inputChain(['ip saddr . tcp dport @pairs accept'], {
        extra:
          '  set pairs { type ipv4_addr . inet_service; elements = { 10.0.0.1 . 22, 10.0.0.2 . 80 } }',
      }),
      'ok',
    ],
    [
      'a verdict map on ct state, with a jump',
      inputChain(['ct state vmap { established : accept, related : accept, new : jump new_in }'], {
        extra: '  chain new_in { tcp dport ssh accept }',
      }),
      'ok',
    ],
    [
      'a named verdict map',
      inputChain(['tcp dport vmap @ports'], {
        extra: '  map ports { type inet_service : verdict; elements = { 22 : drop, 80 : accept } }',
      }),
      { certain: true, line: 4, reason: /^line 4 drops it: tcp dport vmap @ports$/ },
    ],
    [
      'goto does not come back',
      inputChain(['tcp dport 22 goto ssh', 'accept'], {
        extra: '  chain ssh { ip saddr 10.0.0.0/8 return }',
      }),
      { certain: true, line: 3, reason: /by policy/ },
    ],
    [
      'a drop behind an undecidable jump',
      inputChain(
        ['ct state established accept', 'iifname "eth0" jump deny', 'tcp dport 22 accept'],
        {
          extra: '  chain deny { drop }',
        },
      ),
      {
        certain: false,
        line: 2,
        reason:
          /^line 2 may drop new connections \(cannot tell whether "iifname "eth0"" on line 5 matches\)$/,
      },
    ],
    [
      'a set that changes at run time',
      inputChain(['ip saddr @f2b drop', 'tcp dport 22 accept'], {
        extra: '  set f2b { type ipv4_addr; flags timeout; }',
      }),
      { certain: false, line: 4, reason: /cannot tell whether "ip saddr @f2b" matches/ },
    ],
    [
      'a set a rule adds to',
      inputChain(
        ['ct state new add @seen { ip saddr }', 'ip saddr @seen drop', 'tcp dport 22 accept'],
        {
          extra: '  set seen { type ipv4_addr; }',
        },
      ),
      { certain: false, line: 5, reason: /may drop/ },
    ],
    [
      'a queue verdict',
      inputChain(['tcp dport 22 queue num 3'], { policy: 'accept' }),
      { certain: false, line: 4, reason: /cannot tell what "queue num 3" does with it/ },
    ],
    [
      'an expression it does not know',
      inputChain(['socket transparent 1 drop', 'tcp dport 22 accept']),
      { certain: false, line: 4, reason: /cannot tell whether "socket transparent 1" matches/ },
    ],
    [
      'a drop in prerouting',
      'table ip raw { chain pre { type filter hook prerouting priority raw; tcp dport 22 ip saddr 10.0.0.1 drop } }',
      { certain: true, line: 1, reason: /^line 1 drops it/ },
    ],
    [
      'an ingress chain on some device',
      'table netdev n { chain in { type filter hook ingress device "eth0" priority -500; tcp dport 22 drop } }',
      { certain: false, line: 1, reason: /cannot tell whether it arrives on device "eth0"/ },
    ],
    [
      'line continuation and a named priority with an offset',
      'table inet t {\n chain input {\n type filter hook input priority filter - 10; policy accept;\n tcp dport 22 \\\n   ip saddr 10.0.0.1 \\\n   drop\n }\n}\n',
      {
        certain: true,
        line: 4,
        reason: /^line 4 drops it: tcp dport 22 ip saddr 10\.0\.0\.1 drop$/,
      },
    ],
    [
      'an undefined variable',
      inputChain(['tcp dport $SSH accept']),
      { certain: false, line: 4, reason: /^line 4 cannot be checked: "\$SSH" is not defined$/ },
    ],
    [
      'a jump to a chain that does not exist',
      inputChain(['jump nowhere']),
      { certain: false, line: 4, reason: /has no chain "nowhere"/ },
    ],
    [
      'a block that is not closed',
      'table inet t {\n chain input {\n type filter hook input priority 0;\n',
      { certain: false, line: 2, reason: /chain input is not closed/ },
    ],
    [
      'include',
      'include "/etc/nftables.d/*.nft"\n',
      { certain: false, line: 1, reason: /"include" is not supported/ },
    ],
  ];
  for (const [name, ruleset, want, probe] of cases) {
    it(name, () => expectVerdict(checkSshReach(ruleset, probe ?? v4), want));
  }

  it('the parser keeps each rule with its line, as written', () => {
    const { tables } = parseNftRuleset(fixture('defines-sets.nft'));
    assert.deepEqual(
      tables.map((t) => `${t.family} ${t.name}`),
      ['inet filter'],
    );
    const input = tables[0].chains.get('input');
    assert.ok(input?.base);
    assert.equal(input.base.policy, 'drop');
    assert.deepEqual(
      input.rules.map((r) => [r.line, r.text]),
      [
        [27, 'ct state vmap { established : accept, related : accept, invalid : drop }'],
        [28, 'ip saddr @blocklist counter drop'],
        [29, 'tcp dport $SSH_PORT ip saddr $ADMINS accept'],
        [30, 'tcp dport $SSH_PORT ip6 saddr @admins6 accept'],
        [31, 'tcp dport $WEB_PORTS accept'],
      ],
    );
    assert.throws(
      () => parseNftRuleset('table inet t {\n  chian input {}\n}\n'),
      (e: unknown) => e instanceof NftParseError && e.line === 2,
    );
  });

  it('refuses a probe that is not an address and port', () => {
    assert.throws(() => checkSshReach('', { source: 'web-01', port: 22 }), /not an IP address/);
    assert.throws(() => checkSshReach('', { source: '10.0.0.1', port: 0 }), /not a port number/);
  });
});

describe('firewall: SSH reach, addresses', () => {
  /** An input chain that lets SSH in only from `saddr` (blocked: policy drop, line 3). */
  const onlyFrom = (saddr: string, family: 'ip' | 'ip6' = 'ip'): string =>
    inputChain([`${family} saddr ${saddr} tcp dport 22 accept`]);
  const blocked: Expect = { certain: true, line: 3, reason: /by policy \(line 3\)$/ };
  /** A drop of `saddr` in a chain that accepts all else: decided or not. */
  const dropFrom = (saddr: string, family: 'ip' | 'ip6' = 'ip'): string =>
    inputChain([`${family} saddr ${saddr} drop`], { policy: 'accept' });
  const undecided = (match: string): Expect => ({
    certain: false,
    line: 4,
    reason: new RegExp(`^line 4 may drop it \\(cannot tell whether "${match}" matches\\)$`),
  });
  const cases: [name: string, ruleset: string, source: string, want: Expect][] = [
    // Prefixes: the host bits of the written address do not count.
    ['host bits set in a prefix', onlyFrom('10.1.2.3/8'), '10.200.0.1', 'ok'],
    ['host bits set, outside the prefix', onlyFrom('10.1.2.3/8'), '11.0.0.1', blocked],
    [
      'an IPv6 prefix with host bits set',
      onlyFrom('2001:db8:ffff::1/32', 'ip6'),
      '2001:db8::5',
      'ok',
    ],
    ['/0 holds every IPv4 address', onlyFrom('192.0.2.1/0'), '203.0.113.9', 'ok'],
    ['/0 holds every IPv6 address', onlyFrom('2001:db8::1/0', 'ip6'), 'fe80::1', 'ok'],
    ['/32 holds its address', onlyFrom('10.0.0.1/32'), '10.0.0.1', 'ok'],
    ['/32 holds only its address', onlyFrom('10.0.0.1/32'), '10.0.0.2', blocked],
    ['/31', onlyFrom('10.0.0.3/31'), '10.0.0.2', 'ok'],
    ['/31, the next pair', onlyFrom('10.0.0.3/31'), '10.0.0.4', blocked],
    ['/128 holds its address', onlyFrom('2001:db8::1/128', 'ip6'), '2001:db8::1', 'ok'],
    ['/128 holds only its address', onlyFrom('2001:db8::1/128', 'ip6'), '2001:db8::2', blocked],
    ['a prefix inside a group', onlyFrom('2001:db8:8000::/33', 'ip6'), '2001:db8:ffff::1', 'ok'],
    [
      'a prefix inside a group, outside',
      onlyFrom('2001:db8:8000::/33', 'ip6'),
      '2001:db8:7fff::1',
      blocked,
    ],
    ['a prefix length with a leading zero', onlyFrom('10.0.0.0/08'), '10.9.9.9', 'ok'],
    [
      'a prefix longer than an IPv4 address',
      dropFrom('10.0.0.1/33'),
      '10.0.0.1',
      undecided('ip saddr 10.0.0.1/33'),
    ],
    [
      'a prefix longer than an IPv6 address',
      dropFrom('::1/129', 'ip6'),
      '::1',
      undecided('ip6 saddr ::1/129'),
    ],
    [
      'a prefix length that is not a number',
      dropFrom('10.0.0.0/x'),
      '10.0.0.1',
      undecided('ip saddr 10.0.0.0/x'),
    ],
    [
      'two prefix lengths',
      dropFrom('10.0.0.0/8/8'),
      '10.0.0.1',
      undecided('ip saddr 10.0.0.0/8/8'),
    ],
    // How an address is written.
    ['uppercase hex in a rule', onlyFrom('2001:DB8::/32', 'ip6'), '2001:db8::5', 'ok'],
    ['uppercase hex in the probe', onlyFrom('2001:db8::5', 'ip6'), '2001:DB8::5', 'ok'],
    ['leading zeros in IPv6 groups', onlyFrom('2001:0db8:0000::0001', 'ip6'), '2001:db8::1', 'ok'],
    [
      'five hex digits in a group',
      dropFrom('2001:00db8::1', 'ip6'),
      '2001:db8::1',
      undecided('ip6 saddr 2001:00db8::1'),
    ],
    [
      'an IPv4 address inside an IPv6 one',
      onlyFrom('64:ff9b::192.0.2.1', 'ip6'),
      '64:ff9b::c000:201',
      'ok',
    ],
    [
      'a host name',
      dropFrom('bastion.example.com'),
      '10.0.0.1',
      undecided('ip saddr bastion.example.com'),
    ],
    ['an IPv6 address in an ip match', dropFrom('::1'), '10.0.0.1', undecided('ip saddr ::1')],
    [
      'an IPv4 address in an ip6 match',
      dropFrom('10.0.0.1', 'ip6'),
      '::1',
      undecided('ip6 saddr 10.0.0.1'),
    ],
    [
      'a zone id in a rule',
      dropFrom('fe80::1%eth0', 'ip6'),
      'fe80::1',
      undecided('ip6 saddr fe80::1%eth0'),
    ],
    // What nft reads otherwise: its resolver takes 010.0.0.1 as octal (8.0.0.1);
    // inet_pton refuses a leading zero in an IPv4 part and an IPv4 part before `::`.
    [
      'a leading zero in an IPv4 part',
      onlyFrom('010.0.0.1'),
      '10.0.0.1',
      {
        certain: true,
        line: 3,
        reason:
          /by policy \(line 3\); line 4 would accept it only if "ip saddr 010\.0\.0\.1" matches, which cannot be checked$/,
      },
    ],
    [
      'a leading zero, octal to nft',
      dropFrom('010.0.0.1'),
      '8.0.0.1',
      undecided('ip saddr 010.0.0.1'),
    ],
    [
      'a leading zero in an embedded IPv4 part',
      dropFrom('64:ff9b::192.000.2.1', 'ip6'),
      '64:ff9b::c000:201',
      undecided('ip6 saddr 64:ff9b::192.000.2.1'),
    ],
    [
      'an IPv4 part before ::',
      dropFrom('1.2.3.4::', 'ip6'),
      '102:304::',
      undecided('ip6 saddr 1.2.3.4::'),
    ],
    // The probe.
    ['a zone id on the probe', onlyFrom('fe80::/10', 'ip6'), 'fe80::1%eth0', 'ok'],
    ['a probe in brackets', onlyFrom('10.0.0.1'), '[::ffff:10.0.0.1]', 'ok'],
    ['an IPv4-mapped probe in hex is IPv4', onlyFrom('10.0.0.1'), '::ffff:a00:1', 'ok'],
    ['an IPv4-mapped probe written in full', onlyFrom('10.0.0.1'), '0:0:0:0:0:FFFF:10.0.0.1', 'ok'],
    [
      'an IPv4-mapped probe never meets ip6',
      onlyFrom('::ffff:10.0.0.1', 'ip6'),
      '::ffff:10.0.0.1',
      blocked,
    ],
    ['an IPv4-compatible probe is IPv6', onlyFrom('10.0.0.1'), '::10.0.0.1', blocked],
    ['an IPv4-compatible probe in an ip6 match', onlyFrom('::a00:1', 'ip6'), '::10.0.0.1', 'ok'],
    // Ranges, written as one word or around a spaced dash.
    ['a range holds its first address', onlyFrom('10.0.0.10-10.0.0.20'), '10.0.0.10', 'ok'],
    ['a range holds its last address', onlyFrom('10.0.0.10 - 10.0.0.20'), '10.0.0.20', 'ok'],
    ['a range holds no more', onlyFrom('10.0.0.10-10.0.0.20'), '10.0.0.21', blocked],
    ['a range across the top bit', onlyFrom('127.0.0.0-128.0.0.0'), '127.255.255.255', 'ok'],
    ['an IPv6 range', onlyFrom('2001:db8::1-2001:db8::ff', 'ip6'), '2001:db8::80', 'ok'],
    [
      'an IPv6 range, past its end',
      onlyFrom('2001:db8::1 - 2001:db8::ff', 'ip6'),
      '2001:db8::100',
      blocked,
    ],
    ['a backwards range holds nothing', dropFrom('10.0.0.20-10.0.0.10'), '10.0.0.15', 'ok'],
    ['a backwards range, spaced', dropFrom('10.0.0.20 - 10.0.0.10'), '10.0.0.15', 'ok'],
    ['a backwards IPv6 range', dropFrom('2001:db8::ff-2001:db8::1', 'ip6'), '2001:db8::5', 'ok'],
    [
      'a range to a name',
      dropFrom('10.0.0.1-gw.example'),
      '10.0.0.1',
      undecided('ip saddr 10.0.0.1-gw.example'),
    ],
    [
      'a range from a prefix',
      dropFrom('10.0.0.0/8-10.0.0.1'),
      '10.0.0.1',
      undecided('ip saddr 10.0.0.0/8-10.0.0.1'),
    ],
  ];
  for (const [name, ruleset, source, want] of cases) {
    it(`${name}: ${source}`, () =>
      expectVerdict(checkSshReach(ruleset, { source, port: 22 }), want));
  }
});
