import { strict as assert } from 'node:assert';
import type { ListingFact } from '../../src/facts/types';
import { parseInventory } from '../../src/inventory/load';
import { checkRules } from '../../src/site/rules';
import { SITE_VARIABLES } from '../../src/site/variables';
import { readCatalog, spanSeconds, type Catalog } from '../../src/site/backups/catalog';
import { catalogText } from '../../src/site/backups/catalog-text';
import { chooseRestore, restoreCommand } from '../../src/site/backups/restore-plan';

const T0 = Date.parse('2026-12-05T00:00:00Z') / 1000;

/** A dumps folder as the backup program leaves it: each dump `[id, seconds after T0, verify result]`. */
function dumpsListing(
  dumps: [string, number, 'ok' | 'failed' | undefined, string?][],
): ListingFact {
  const files: ListingFact['files'] = [];
  for (const [id, at, verify, binlog = 'mysql-bin.000002'] of dumps) {
    const meta = `id=${id}\ntime=${T0 + at}\nposition=0-1-${at}\nbinlog=${binlog}\nsource=replica\ntable=foobar.t\t3\t42\nfile=${id}.sql.gz\nsize=100\n`;
    files.push({ name: `${id}.meta`, size: meta.length, mtime: 0, text: meta });
    files.push({ name: `${id}.sql.gz`, size: 100, mtime: 0 });
    if (verify)
      files.push({
        name: `${id}.verify`,
        size: 1,
        mtime: 0,
        text: `result=${verify}\ntime=${T0 + at + 5}\ndetail=d\n`,
      });
  }
  return { present: true, files };
}

function binlogsListing(names: string[], archivedAt?: number): ListingFact {
  return {
    present: true,
    files: [
      ...names.map((name) => ({ name, size: 10, mtime: 0 })),
      ...(archivedAt === undefined
        ? []
        : [{ name: '.archived', size: 11, mtime: 0, text: `${T0 + archivedAt}\n` }]),
    ],
  };
}

describe('backups: the catalog read from the backup program’s records', () => {
  it('dumps oldest first, with figures, verification and whether the file is there as recorded', () => {
    const listing = dumpsListing([
      ['B', 200, 'failed'],
      ['A', 100, 'ok'],
    ]);
    listing.files = listing.files.filter((f) => f.name !== 'B.sql.gz');
    const c = readCatalog(listing, binlogsListing(['mysql-bin.000002'], 300));
    assert.deepEqual(
      c.dumps.map((d) => [d.id, d.time - T0, d.file, d.verification?.result]),
      [
        ['A', 100, 'present', 'ok'],
        ['B', 200, 'missing', 'failed'],
      ],
    );
    assert.deepEqual(c.dumps[0]!.tables, [{ name: 'foobar.t', rows: 3, checksum: '42' }]);
    assert.deepEqual(c.binlogs, {
      files: [{ name: 'mysql-bin.000002', size: 10 }],
      archivedAt: T0 + 300,
    });
  });

  it('an encrypted dump and binary log: flagged, and the log listed by its name', () => {
    const listing = dumpsListing([['A', 100, 'ok']]);
    const meta = listing.files.find((f) => f.name === 'A.meta')!;
    meta.text = meta.text!.replace('file=A.sql.gz', 'file=A.sql.gz.enc\nencrypted=yes');
    listing.files = listing.files.map((f) =>
      f.name === 'A.sql.gz' ? { ...f, name: 'A.sql.gz.enc' } : f,
    );
    const c = readCatalog(listing, binlogsListing(['mysql-bin.000002.enc', '.sizes'], 300));
    assert.equal(c.dumps[0]!.encrypted, true);
    assert.equal(c.dumps[0]!.file, 'present');
    assert.deepEqual(c.binlogs.files, [{ name: 'mysql-bin.000002', size: 10 }]);
  });

  it('backup list for people: newest first, with the verdict, and how far the archive reaches', () => {
    const listing = dumpsListing([
      ['A', 100, 'ok'],
      ['B', 200, 'failed'],
    ]);
    const catalog = readCatalog(listing, binlogsListing(['mysql-bin.000002'], 300));
    assert.deepEqual(catalogText([{ host: 'web-02', dir: '/b', ok: true, catalog }]), [
      'web-02  /b',
      '  B  2026-12-05T00:03:20Z      100 B  replica  FAILED verification 2026-12-05T00:03:25Z: d',
      '      position 0-1-200, binary log mysql-bin.000002, 1 table',
      '  A  2026-12-05T00:01:40Z      100 B  replica  verified 2026-12-05T00:01:45Z',
      '      position 0-1-100, binary log mysql-bin.000002, 1 table',
      '  binary logs: 1 archived (10 B), mysql-bin.000002 to mysql-bin.000002; the archive reaches 2026-12-05T00:05:00Z',
    ]);
    assert.deepEqual(catalogText([{ host: 'web-02', dir: '/b', ok: false, error: 'gone' }]), [
      'web-02  /b',
      '  cannot read: gone',
    ]);
  });

  it('backup list with backup_copy_host: when the last copy went through, and up to which dump; or none yet', () => {
    const logs = binlogsListing(['mysql-bin.000002'], 300);
    logs.files.push({ name: '.copied', size: 27, mtime: 0, text: `${T0 + 310} A\n` });
    const catalog = readCatalog(dumpsListing([['A', 100, 'ok']]), logs);
    assert.deepEqual(catalog.copied, { at: T0 + 310, dump: 'A' });
    const text = catalogText([{ host: 'web-02', dir: '/b', ok: true, catalog, copyHost: 'lb-01' }]);
    assert.equal(
      text[text.length - 1],
      '  copy on lb-01: 2026-12-05T00:05:10Z, dumps up to A and the binary logs',
    );
    const none = readCatalog(dumpsListing([['A', 100, 'ok']]), binlogsListing([], 300));
    assert.equal(
      catalogText([
        { host: 'web-02', dir: '/b', ok: true, catalog: none, copyHost: 'lb-01' },
      ]).pop(),
      '  copy on lb-01: none yet',
    );
  });

  it('systemd time spans in seconds', () => {
    for (const [span, seconds] of [
      ['15min', 900],
      ['26h', 93_600],
      ['1h 30min', 5400],
      ['2d', 172_800],
      ['1w', 604_800],
    ] as const)
      assert.equal(spanSeconds(span), seconds, span);
  });
});

describe('backups: which dump a restore starts from, and how far the binary logs go', () => {
  const catalog = (
    dumps: Parameters<typeof dumpsListing>[0],
    logs: string[] = ['mysql-bin.000002', 'mysql-bin.000003'],
    archivedAt = 1000,
  ): Catalog => readCatalog(dumpsListing(dumps), binlogsListing(logs, archivedAt));
  const at = (seconds: number) => ({ at: new Date((T0 + seconds) * 1000) });

  const cases: {
    name: string;
    catalog: Catalog;
    point: Parameters<typeof chooseRestore>[1];
    dump?: string;
    stop?: string;
    error?: RegExp;
  }[] = [
    {
      name: 'the newest verified dump before T, the binary logs up to T (UTC, to the second)',
      catalog: catalog([
        ['A', 100, 'ok'],
        ['B', 300, 'ok'],
        ['C', 600, 'ok'],
      ]),
      point: at(450.7),
      dump: 'B',
      stop: '2026-12-05 00:07:30',
    },
    {
      name: 'a newer dump that failed its verification is passed over',
      catalog: catalog([
        ['A', 100, 'ok'],
        ['B', 300, 'failed'],
      ]),
      point: at(400),
      dump: 'A',
      stop: '2026-12-05 00:06:40',
    },
    {
      name: '--latest: the newest verified dump, every archived binary log after it',
      catalog: catalog([
        ['A', 100, 'ok'],
        ['B', 300, undefined],
      ]),
      point: { latest: true },
      dump: 'A',
      stop: 'end',
    },
    {
      name: '--latest with no binary log archived from the dump on: the dump alone',
      catalog: catalog([['A', 100, 'ok']], []),
      point: { latest: true },
      dump: 'A',
      stop: undefined,
    },
    {
      name: "--latest with later binary logs archived but not the dump's own: refused (a gap)",
      catalog: catalog([['A', 100, 'ok', 'mysql-bin.000001']], ['mysql-bin.000002']),
      point: { latest: true },
      error:
        /the binary log mysql-bin.000001 that follows the dump A is not archived, but later ones are/,
    },
    {
      name: 'T before the oldest verified dump: refused',
      catalog: catalog([['A', 100, 'ok']]),
      point: at(50),
      error: /the oldest verified dump is of 2026-12-05T00:01:40Z: .* is earlier/,
    },
    {
      name: 'T later than the binary logs are archived: refused',
      catalog: catalog([['A', 100, 'ok']], ['mysql-bin.000002'], 200),
      point: at(300),
      error: /archived up to 2026-12-05T00:03:20Z only/,
    },
    {
      name: 'the binary log that follows the dump is not archived: refused',
      catalog: catalog([['A', 100, 'ok', 'mysql-bin.000001']], ['mysql-bin.000002']),
      point: at(300),
      error: /the binary log mysql-bin.000001 that follows the dump A is not archived/,
    },
    {
      name: 'nothing verified: refused',
      catalog: catalog([['A', 100, 'failed']]),
      point: at(300),
      error: /no dump on the backup host is verified/,
    },
    {
      name: 'no dump at all: refused',
      catalog: catalog([]),
      point: { latest: true },
      error: /there is no dump on the backup host yet/,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      if (c.error) {
        assert.throws(() => chooseRestore(c.catalog, c.point), c.error);
        return;
      }
      const choice = chooseRestore(c.catalog, c.point);
      assert.equal(choice.dump.id, c.dump);
      assert.equal(choice.stop, c.stop);
    });

  it("the program's arguments, each quoted", () => {
    const choice = chooseRestore(catalog([['A', 100, 'ok']]), at(450));
    assert.equal(restoreCommand(choice), "restore A '2026-12-05 00:07:30'");
  });
});

describe('backups: the site rules on who takes them', () => {
  const rules = (text: string) => {
    const result = parseInventory('inventory.yml', text, { variables: SITE_VARIABLES });
    assert.ok(result.value);
    return checkRules(result.value)
      .filter((d) => /backup/.test(d.message))
      .map((d) => `${d.severity} ${d.line}:${d.col} ${d.field ?? ''}: ${d.message}`);
  };
  const site = (vars: string, web: string) =>
    `all:\n  vars:\n    ssh_user: deploy\n${vars}  children:\n    web:\n      hosts:\n${web}`;
  const primary = '        web-01: { address: 10.0.0.11, mysql_role: primary, server_id: 1 }\n';
  const replica =
    '        web-02: { address: 10.0.0.12, mysql_role: replica, mysql_source: web-01, server_id: 2 }\n';

  it('a replica takes them: nothing to say', () => {
    assert.deepEqual(rules(site('', primary + replica)), []);
  });
  it('no replica and no backup_host: a warning naming the way out', () => {
    assert.deepEqual(rules(site('', primary)), [
      'warning 7:9 all.children.web.hosts.web-01: backups is on, but no host takes them: there is no replica; set backup_host (e.g. backup_host: web-01) or backups: false',
    ]);
  });
  it('no replica, backups off or backup_host set to the primary: nothing to say', () => {
    assert.deepEqual(rules(site('    backups: false\n', primary)), []);
    assert.deepEqual(rules(site('    backup_host: web-01\n', primary)), []);
  });
  it('backup_host naming no host: an error at its definition, once', () => {
    assert.deepEqual(rules(site('    backup_host: web-9\n', primary + replica)), [
      'error 4:18 all.vars.backup_host: backup_host "web-9" is not a host of this inventory',
    ]);
  });
});

describe('monitoring and backup copies: the site rules that warn', () => {
  const warnings = (text: string) => {
    const result = parseInventory('inventory.yml', text, { variables: SITE_VARIABLES });
    assert.ok(result.value);
    return checkRules(result.value)
      .filter((d) => /Prometheus|in clear/.test(d.message))
      .map((d) => `${d.severity} ${d.line}:${d.col} ${d.field ?? ''}: ${d.message}`);
  };
  const hosts =
    '    lb:\n      hosts:\n        lb-01: { address: 10.0.0.10 }\n' +
    '    web:\n      hosts:\n' +
    '        web-01: { address: 10.0.0.11, mysql_role: primary, server_id: 1 }\n' +
    '        web-02: { address: 10.0.0.12, mysql_role: replica, mysql_source: web-01, server_id: 2 }\n';
  const site = (vars: string, more = '') =>
    `all:\n  vars:\n    ssh_user: deploy\n${vars}  children:\n${hosts}${more}`;

  it('the first lb runs Prometheus: nothing to say; the first lb with monitoring off: a warning at that setting', () => {
    assert.deepEqual(warnings(site('')), []);
    const off = site('').replace(
      'lb-01: { address: 10.0.0.10 }',
      'lb-01: { address: 10.0.0.10, monitoring: false }',
    );
    assert.deepEqual(warnings(off), [
      'warning 7:50 all.children.lb.hosts.lb-01.monitoring: monitoring is on, but the first load balancer (where Prometheus runs without a monitor group) has monitoring: false or does not exist: nobody runs Prometheus; add a monitor group, or set monitoring: false',
    ]);
  });
  it('a monitor group whose hosts all have monitoring off: a warning; monitoring off everywhere: nothing', () => {
    const group =
      '    monitor:\n      hosts:\n        mon-1: { address: 10.0.0.20, monitoring: false }\n';
    assert.deepEqual(warnings(site('', group)), [
      'warning 7:9 all.children.lb.hosts.lb-01: monitoring is on, but no host of the monitor group has it on: nobody runs Prometheus and the exporters are scraped by no one; add a host to the group, or set monitoring: false',
    ]);
    assert.deepEqual(warnings(site('    monitoring: false\n', group)), []);
  });
  it('backups copied to another host without backup_encryption_key: a warning at backup_copy_host', () => {
    assert.deepEqual(warnings(site('    backup_copy_host: lb-01\n')), [
      'warning 4:23 all.vars.backup_copy_host: the backups of web-02 are copied to lb-01 in clear: set backup_encryption_key so that the copy host never holds the data readable',
    ]);
    assert.deepEqual(
      warnings(site('    backup_copy_host: lb-01\n    backup_encryption_key: { env: K }\n')),
      [],
    );
  });
});
