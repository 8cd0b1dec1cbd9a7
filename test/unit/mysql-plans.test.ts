import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { factKey, type Fact, type FactRequest } from '../../src/facts/types';
import type { Change } from '../../src/changes/model';
import { FactView } from '../../src/modules/fact-view';
import { FINGERPRINT_FILE, fingerprint, formatFingerprints } from '../../src/modules/fingerprints';
import type { ModuleContext, ModuleDefinition } from '../../src/modules/module';
import { MODULES } from '../../src/modules/registry';
import { TemplateEngine } from '../../src/render/template-engine';
import { fixture } from '../support/cli';

/** Real server output, captured from the lab's MySQL 9.7 and MariaDB 10.11. */
const out = (name: string) =>
  (JSON.parse(fs.readFileSync(fixture('mysql', `${name}.json`), 'utf8')) as { output: string })
    .output;

/**
 * Answers a module's fact requests: SQL by the start of the query (and whether
 * it is remote), file contents by path. Unanswered SQL is a server that is down.
 */
function plan(
  module: string,
  rawArgs: unknown,
  flavor: 'mysql' | 'mariadb',
  answers: Answers,
  vars: Record<string, unknown> = {},
): Change[] {
  const m = MODULES[module]!;
  const ctx: ModuleContext = {
    host: 'web-02',
    vars: { mysql_flavor: flavor, ...vars },
    templates: new TemplateEngine(fixture('templates')),
    filesDir: fixture('files'),
    containsSecret: () => false,
  };
  const args = m.args.parse(rawArgs) as never;
  const facts = gather(m, args, ctx, answers);
  return m.plan(args, new FactView(facts), ctx);
}

/** What the engine gathers for a task: its facts, then the more facts they call for. */
function gather(
  m: ModuleDefinition<never>,
  args: never,
  ctx: ModuleContext,
  answers: Answers,
): Map<string, Fact> {
  const facts = new Map<string, Fact>();
  for (const r of m.facts(args, ctx)) facts.set(factKey(r), answer(r, answers));
  for (const r of m.moreFacts?.(args, new FactView(facts), ctx) ?? [])
    facts.set(factKey(r), answer(r, answers));
  return facts;
}

/** The requests a task's gathers make (first and more), for mysql_replication on web-02. */
function requests(rawArgs: unknown, flavor: 'mysql' | 'mariadb', answers: Answers): FactRequest[] {
  const m = MODULES.mysql_replication!;
  const ctx: ModuleContext = {
    host: 'web-02',
    vars: { mysql_flavor: flavor },
    templates: new TemplateEngine(fixture('templates')),
    filesDir: fixture('files'),
    containsSecret: () => false,
  };
  const args = m.args.parse(rawArgs) as never;
  const first = m.facts(args, ctx);
  const facts = new Map<string, Fact>(first.map((r) => [factKey(r), answer(r, answers)]));
  return [...first, ...(m.moreFacts?.(args, new FactView(facts), ctx) ?? [])];
}

interface Answers {
  local: Record<string, string>;
  remote?: Record<string, string>;
  /** What the client says when the source refuses every query (default: no server). */
  remoteError?: string;
  content?: string;
}

function answer(r: FactRequest, a: Answers): Fact {
  if (r.kind === 'content') return { kind: 'content', value: a.content };
  if (r.kind !== 'sql') throw new Error(`unexpected fact ${r.kind}`);
  const table = r.remote ? (a.remote ?? {}) : a.local;
  const key = Object.keys(table).find((k) => r.query.startsWith(k));
  if (key === undefined)
    return {
      kind: 'sql',
      value: {
        ok: false,
        error:
          (r.remote ? a.remoteError : undefined) ??
          "ERROR 2002 (HY000): Can't connect to local server through socket",
      },
    };
  return { kind: 'sql', value: { ok: true, output: table[key]!.replace(/\n$/, '') } };
}

const kinds = (changes: Change[]) => changes.map((c) => c.kind);
const shown = (changes: Change[]) =>
  changes.flatMap((c) => (c.kind === 'sql' ? c.redacted : [])).join('\n');
const PASSWORD = `r'e"p\\l\\'%_ü`;

describe('mysql_replication plans from real server output', () => {
  const args = {
    source_host: '10.231.120.12',
    source_port: 3306,
    source_inventory_host: 'web-01',
    user: 'fx_repl',
    password: PASSWORD,
  };
  const key = 'mysql-replication:fx_repl@10.231.120.12:3306';
  const primary = out('mysql-9.7-identity-primary').replace(':1-7', ':1-9');
  const mysql = (
    over: Record<string, string> = {},
    content = formatFingerprints(new Map([[key, fingerprint(key, PASSWORD)]])),
  ) => ({
    local: {
      'SELECT VERSION()': out('mysql-9.7-version'),
      'SELECT @@GLOBAL.server_id': out('mysql-9.7-identity-replica-read-only'),
      'SHOW REPLICA STATUS': out('mysql-9.7-replica-status-running'),
      'SELECT COUNT(*)': '0\n',
      ...over,
    },
    remote: { 'SELECT VERSION()': out('mysql-9.7-version'), 'SELECT @@GLOBAL.server_id': primary },
    content,
  });

  it('converged: same source, same password, both threads running → nothing', () => {
    assert.deepEqual(plan('mysql_replication', args, 'mysql', mysql()), []);
  });

  const remoteAsked = (answers: Answers, a: unknown = args) =>
    requests(a, 'mysql', answers).some((r) => r.kind === 'sql' && r.remote !== undefined);

  it('converged, and its own state proves the source (no transaction of its own): no login to the source', () => {
    assert.equal(remoteAsked(mysql()), false);
    assert.equal(remoteAsked(mysql(), { ...args, tls: true }), false);
    // Without the source's facts at all, the plan is still converged.
    assert.deepEqual(plan('mysql_replication', args, 'mysql', { ...mysql(), remote: {} }), []);
  });

  it("the source is asked whenever the replica's own state leaves a doubt", () => {
    const own = out('mysql-9.7-identity-replica-read-only').replace(
      /\t([^\t]*)\n$/,
      '\t$1,cd2b6f5c-e804-11f1-9b3b-beb82b60e87b:1\n',
    );
    const former = out('mysql-9.7-identity-replica-read-only').replace(
      /\t([^\t]*)\n$/,
      '\t$1,0f0f0f0f-e804-11f1-9b3b-beb82b60e87b:1-3\n',
    );
    const doubts: [string, Answers, unknown][] = [
      ['transactions of its own', mysql({ 'SELECT @@GLOBAL.server_id': own }), args],
      [
        "a former source's transactions (another UUID, which this source never judged)",
        mysql({ 'SELECT @@GLOBAL.server_id': former }),
        args,
      ],
      [
        'no source UUID in the replica status',
        mysql({
          'SHOW REPLICA STATUS': out('mysql-9.7-replica-status-running').replace(
            /Source_UUID: \S+/,
            'Source_UUID: ',
          ),
        }),
        args,
      ],
      [
        'a stopped channel',
        mysql({ 'SHOW REPLICA STATUS': out('mysql-9.7-replica-status-stopped') }),
        args,
      ],
      ['no channel', mysql({ 'SHOW REPLICA STATUS': '' }), args],
      ['a new password', mysql(), { ...args, password: 'new-secret-value' }],
      ['no record of the password', mysql({}, ''), args],
      ['another source', mysql(), { ...args, source_host: '10.231.120.99' }],
      ['TLS not yet verified', mysql(), { ...args, tls: true, tls_ca: '/etc/mysql/tls/ca.crt' }],
    ];
    for (const [why, answers, a] of doubts) assert.equal(remoteAsked(answers, a), true, why);
  });

  it("a former source's transactions this source lacks (a failover to a lagging replica): refused as errant, though the channel runs", () => {
    const former = out('mysql-9.7-identity-replica-read-only').replace(
      /\t([^\t]*)\n$/,
      '\t$1,0f0f0f0f-e804-11f1-9b3b-beb82b60e87b:1-3\n',
    );
    assert.throws(
      () =>
        plan('mysql_replication', args, 'mysql', mysql({ 'SELECT @@GLOBAL.server_id': former })),
      /errant GTIDs 0f0f0f0f-e804-11f1-9b3b-beb82b60e87b:1-3/,
    );
  });

  it('checked on the source, converged but writable and with a record from before the site key: made read-only and re-keyed in one run', () => {
    // Writable, with a write of its own (so the source is asked), which the source has.
    const own = out('mysql-9.7-identity-replica');
    const answers = mysql({ 'SELECT @@GLOBAL.server_id': own });
    answers.remote['SELECT @@GLOBAL.server_id'] = primary.replace(
      /\n$/,
      ',cd2b6f5c-e804-11f1-9b3b-beb82b60e87b:1\n',
    );
    const siteKey = { secret_fingerprint_key: 'site-key-0123456789abcdef0123456789' };
    const changes = plan('mysql_replication', args, 'mysql', answers, siteKey);
    assert.deepEqual(kinds(changes), ['sql', 'write']);
    assert.match((changes[0] as { reason: string }).reason, /the replica is writable/);
  });

  it('transactions of its own, all on the source (a former primary): checked there, converged', () => {
    const own = out('mysql-9.7-identity-replica-read-only').replace(
      /\t([^\t]*)\n$/,
      '\t$1,cd2b6f5c-e804-11f1-9b3b-beb82b60e87b:1\n',
    );
    const sourceHasThem = primary.replace(/\n$/, ',cd2b6f5c-e804-11f1-9b3b-beb82b60e87b:1\n');
    const answers = mysql({ 'SELECT @@GLOBAL.server_id': own });
    answers.remote['SELECT @@GLOBAL.server_id'] = sourceHasThem;
    assert.deepEqual(plan('mysql_replication', args, 'mysql', answers), []);
    // The source down: the doubt cannot be settled, and the check says so.
    assert.throws(
      () => plan('mysql_replication', args, 'mysql', { ...answers, remote: {} }),
      /the source 10\.231\.120\.12:3306 does not answer to fx_repl from this replica/,
    );
  });

  it('a rotated password: stop, change source (password masked), start, wait, record the new fingerprint', () => {
    const changes = plan(
      'mysql_replication',
      { ...args, password: 'new-secret-value' },
      'mysql',
      mysql(),
    );
    assert.deepEqual(kinds(changes), ['sql', 'await-replica', 'write']);
    assert.match(
      shown(changes),
      /^STOP REPLICA\n.*\nCHANGE REPLICATION SOURCE TO SOURCE_HOST='10\.231\.120\.12', SOURCE_PORT=3306, SOURCE_USER='fx_repl', SOURCE_PASSWORD='\*{8}', SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1\nSTART REPLICA$/s,
    );
    assert.ok(!shown(changes).includes('new-secret-value'));
    const sql = changes[0] as Extract<Change, { kind: 'sql' }>;
    assert.ok(
      sql.statements.some((s) => s.includes("'new-secret-value'")),
      'the real statement carries the password',
    );
    assert.match((changes[0] as { reason: string }).reason, /the replication password changed/);
  });

  it('TLS: converged when the channel uses it; with a CA not yet checked, the source is changed to verify it', () => {
    // MySQL 9.7 reports Source_SSL_Allowed: Yes (the fixture) for a channel that uses TLS.
    assert.deepEqual(plan('mysql_replication', { ...args, tls: true }, 'mysql', mysql()), []);
    const ca = '/etc/mysql/tls/ca.crt';
    const changes = plan(
      'mysql_replication',
      { ...args, tls: 'true', tls_ca: ca },
      'mysql',
      mysql(),
    );
    assert.match(
      shown(changes),
      /CHANGE REPLICATION SOURCE TO .*SOURCE_SSL=1, SOURCE_SSL_CA='\/etc\/mysql\/tls\/ca\.crt', SOURCE_SSL_VERIFY_SERVER_CERT=1/,
    );
    assert.match(
      (changes[0] as { reason: string }).reason,
      /the source's certificate is not checked against \/etc\/mysql\/tls\/ca\.crt/,
    );
    // "{{mysql_tls}}" rendered "false", and an empty CA: no TLS asked, nothing to change.
    assert.deepEqual(
      plan('mysql_replication', { ...args, tls: 'false', tls_ca: '' }, 'mysql', mysql()),
      [],
    );
  });

  it('converged, with a record from before the site key: only the record is re-keyed, replication is left alone', () => {
    const siteKey = { secret_fingerprint_key: 'site-key-0123456789abcdef0123456789' };
    const changes = plan('mysql_replication', args, 'mysql', mysql(), siteKey);
    assert.deepEqual(kinds(changes), ['write']);
    const record = (changes[0] as Extract<Change, { kind: 'write' }>).content.toString();
    assert.equal(record, `${key}\t${fingerprint(key, PASSWORD, siteKey.secret_fingerprint_key)}\n`);
    assert.equal((changes[0] as { conceal?: string }).conceal, 'secret fingerprints');
    // Re-keyed, it is converged.
    const keyed = formatFingerprints(
      new Map([[key, fingerprint(key, PASSWORD, siteKey.secret_fingerprint_key)]]),
    );
    assert.deepEqual(plan('mysql_replication', args, 'mysql', mysql({}, keyed), siteKey), []);
  });

  it('a stopped replica is restarted', () => {
    const changes = plan(
      'mysql_replication',
      args,
      'mysql',
      mysql({ 'SHOW REPLICA STATUS': out('mysql-9.7-replica-status-stopped') }),
    );
    assert.match(shown(changes), /START REPLICA/);
  });

  it('a new replica with no history is seeded from its source', () => {
    const fresh = out('mysql-9.7-identity-replica-read-only').replace(/\t[^\t]*\n$/, '\t\n');
    const changes = plan(
      'mysql_replication',
      args,
      'mysql',
      mysql({ 'SELECT @@GLOBAL.server_id': fresh, 'SHOW REPLICA STATUS': '' }, ''),
    );
    assert.deepEqual(kinds(changes), ['sql', 'transfer', 'sql', 'await-replica', 'write']);
    assert.match(shown(changes), /RESET BINARY LOGS AND GTIDS/);
    const t = changes[1] as Extract<Change, { kind: 'transfer' }>;
    assert.equal(t.from, 'web-01');
    assert.match(t.exportScript, /mysqldump .*--single-transaction.*--set-gtid-purged=ON/);
  });

  it('refuses equal server UUIDs (a cloned machine), naming the fix', () => {
    const uuid = /\t([0-9a-f-]{36})\t/.exec(primary)![1]!;
    const clone = out('mysql-9.7-identity-replica-read-only').replace(
      /\t[0-9a-f-]{36}\t/,
      `\t${uuid}\t`,
    );
    assert.throws(
      () => plan('mysql_replication', args, 'mysql', mysql({ 'SELECT @@GLOBAL.server_id': clone })),
      /same server UUID .*remove \/var\/lib\/mysql\/auto\.cnf/,
    );
  });

  it('refuses errant transactions on the replica', () => {
    assert.throws(
      () =>
        plan(
          'mysql_replication',
          args,
          'mysql',
          mysql({ 'SELECT @@GLOBAL.server_id': out('mysql-9.7-identity-replica') }),
        ),
      /errant GTIDs cd2b6f5c-e804-11f1-9b3b-beb82b60e87b:1/,
    );
  });

  it('refuses GTID off on either side: auto-position needs it', () => {
    const off = out('mysql-9.7-identity-replica-read-only').replace('\tON\tON\t', '\tOFF\tOFF\t');
    assert.throws(
      () => plan('mysql_replication', args, 'mysql', mysql({ 'SELECT @@GLOBAL.server_id': off })),
      /GTID is off on this replica \(gtid_mode=OFF, enforce_gtid_consistency=OFF\)/,
    );
  });

  it('refuses the same server_id', () => {
    const same = out('mysql-9.7-identity-replica-read-only').replace(/^2\t/, '1\t');
    assert.throws(
      () => plan('mysql_replication', args, 'mysql', mysql({ 'SELECT @@GLOBAL.server_id': same })),
      /same server_id 1/,
    );
  });

  // The source is asked when the replica's own state leaves a doubt: here, a stopped channel.
  const stopped = (over: Partial<Answers> = {}) => ({
    ...mysql({ 'SHOW REPLICA STATUS': out('mysql-9.7-replica-status-stopped') }),
    remote: {},
    ...over,
  });

  it('a source that does not answer from the replica is an error naming it', () => {
    assert.throws(
      () => plan('mysql_replication', args, 'mysql', stopped()),
      /the source 10\.231\.120\.12:3306 does not answer to fx_repl from this replica: ERROR 2002/,
    );
  });

  const denied =
    "ERROR 1045 (28000): Access denied for user 'fx_repl'@'10.231.120.13' (using password: YES)";

  it('a rotation the source does not take yet (a dry run, before the primary changes it): deferred, not an error', () => {
    const changes = plan('mysql_replication', { ...args, password: 'new-secret-value' }, 'mysql', {
      ...mysql(),
      remote: {},
      remoteError: denied,
    });
    assert.deepEqual(kinds(changes), ['deferred']);
    assert.match(
      (changes[0] as { reason: string }).reason,
      /the source 10\.231\.120\.12:3306 refuses fx_repl with the new replication password .*Access denied.*: the source's own task sets it earlier in the same run/,
    );
  });

  it('the source refusing the password this replica already uses is an error', () => {
    assert.throws(
      () => plan('mysql_replication', args, 'mysql', stopped({ remoteError: denied })),
      /does not answer to fx_repl from this replica: ERROR 1045/,
    );
  });

  it('a server not installed yet defers (dry run on a bare host)', () => {
    const changes = plan('mysql_replication', args, 'mysql', { local: {} });
    assert.deepEqual(kinds(changes), ['deferred']);
  });

  it('a flavour other than the inventory says is an error', () => {
    assert.throws(
      () => plan('mysql_replication', args, 'mariadb', mysql()),
      /the inventory says mysql_flavor: mariadb, but this host runs mysql 9\.7\.4/,
    );
  });

  it('MariaDB: converged on the real 10.11 output, and CHANGE MASTER ... MASTER_USE_GTID=slave_pos when not', () => {
    const mkey = 'mysql-replication:fx_repl@10.231.121.12:3306';
    const maria = (password: string) => ({
      local: {
        'SELECT VERSION()': out('mariadb-10.11-version'),
        'SELECT @@GLOBAL.server_id': out('mariadb-10.11-identity-replica-read-only'),
        'SHOW REPLICA STATUS': out('mariadb-10.11-replica-status-running'),
        'SELECT COUNT(*)': '0\n',
      },
      remote: {
        'SELECT VERSION()': out('mariadb-10.11-version'),
        'SELECT @@GLOBAL.server_id': out('mariadb-10.11-identity-primary'),
      },
      content: formatFingerprints(new Map([[mkey, fingerprint(mkey, password)]])),
    });
    const margs = { ...args, source_host: '10.231.121.12' };
    assert.deepEqual(plan('mysql_replication', margs, 'mariadb', maria(PASSWORD)), []);
    const changes = plan('mysql_replication', margs, 'mariadb', maria('other'));
    assert.match(
      shown(changes),
      /CHANGE MASTER TO MASTER_HOST='10\.231\.121\.12', MASTER_PORT=3306, MASTER_USER='fx_repl', MASTER_PASSWORD='\*{8}', MASTER_USE_GTID=slave_pos/,
    );
    assert.match(shown(changes), /^STOP REPLICA$/m);
  });
});

describe('mysql_replication on MariaDB: a former primary rejoining the replica that replaced it', () => {
  const args = {
    source_host: '10.231.121.12',
    source_port: 3306,
    source_inventory_host: 'web-02',
    user: 'fx_repl',
    password: PASSWORD,
  };
  /** An identity row (server_id, binlog position, slave position, binlog state). */
  const identity = (id: number, pos: string, slave: string, state: string) =>
    `${id}\t0\tweb-0${id}\t1\t1\t1\t${pos}\t${slave}\t${pos}\t${state}\n`;
  const facts = (mine: string, theirs: string) => ({
    local: {
      'SELECT VERSION()': out('mariadb-10.11-version'),
      'SELECT @@GLOBAL.server_id': mine,
      'SHOW REPLICA STATUS': '',
      'SELECT COUNT(*)': '1\n',
    },
    remote: {
      'SELECT VERSION()': out('mariadb-10.11-version'),
      'SELECT @@GLOBAL.server_id': theirs,
    },
    content: '',
  });

  it('its own writes, all replicated to the new primary: it resumes from its GTID position', () => {
    const changes = plan(
      'mysql_replication',
      args,
      'mariadb',
      facts(identity(1, '0-1-14', '', '0-1-14'), identity(2, '0-2-15', '0-1-14', '0-1-14,0-2-15')),
    );
    assert.match(shown(changes), /CHANGE MASTER TO MASTER_HOST='10\.231\.121\.12'/);
  });

  it('a write of its own the new primary never had (0-1-15): refused as a divergence', () => {
    assert.throws(
      () =>
        plan(
          'mysql_replication',
          args,
          'mariadb',
          facts(
            identity(1, '0-1-15', '', '0-1-15'),
            identity(2, '0-2-16', '0-1-14', '0-1-14,0-2-16'),
          ),
        ),
      /this replica wrote transactions of its own \(GTID 0-1-15\)/,
    );
  });
});

describe('mysql_user plans from real server output', () => {
  const base = {
    name: 'fx_repl',
    password: PASSWORD,
    hosts: '%',
    grants: ['*.*:REPLICATION SLAVE'],
  };
  const key = "mysql:'fx_repl'@'%'";
  const facts = (over: Record<string, string> = {}, content?: string) => ({
    local: {
      'SELECT VERSION()': out('mysql-9.7-version'),
      'SELECT host, ssl_type FROM mysql.user': '%\n',
      "SHOW GRANTS FOR 'fx_repl'@'%'": out('mysql-9.7-grants-replication-user'),
      ...over,
    },
    content: content ?? formatFingerprints(new Map([[key, fingerprint(key, PASSWORD)]])),
  });

  it('converged: the account exists with exactly the grants and the recorded password', () => {
    assert.deepEqual(plan('mysql_user', base, 'mysql', facts()), []);
  });

  it('a missing account is created with its grants; the password is masked in what is shown', () => {
    const changes = plan(
      'mysql_user',
      base,
      'mysql',
      facts({ 'SELECT host, ssl_type FROM mysql.user': '' }, ''),
    );
    assert.equal(
      shown(changes),
      "CREATE USER IF NOT EXISTS 'fx_repl'@'%' IDENTIFIED WITH caching_sha2_password BY '********'\nGRANT REPLICATION SLAVE ON *.* TO 'fx_repl'@'%'",
    );
    assert.ok(
      (changes[0] as Extract<Change, { kind: 'sql' }>).statements[0]!.includes(
        "'r''e\"p\\\\l\\\\''%_ü'",
      ),
      'quotes and backslashes escaped',
    );
    assert.equal((changes[1] as { path: string }).path, FINGERPRINT_FILE);
  });

  it('extra privileges are revoked: exactly the wanted grants remain', () => {
    const changes = plan(
      'mysql_user',
      base,
      'mysql',
      facts({
        "SHOW GRANTS FOR 'fx_repl'@'%'":
          'GRANT SELECT, REPLICATION SLAVE ON *.* TO `fx_repl`@`%`\n',
      }),
    );
    assert.equal(
      shown(changes),
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'fx_repl'@'%'\nGRANT REPLICATION SLAVE ON *.* TO 'fx_repl'@'%'",
    );
  });

  it('accounts on other hosts are dropped; a new host is added', () => {
    const changes = plan(
      'mysql_user',
      { ...base, hosts: '10.0.0.12' },
      'mysql',
      facts({ "SHOW GRANTS FOR 'fx_repl'@'10.0.0.12'": '' }),
    );
    assert.match(shown(changes), /CREATE USER IF NOT EXISTS 'fx_repl'@'10\.0\.0\.12'/);
    assert.match(shown(changes), /DROP USER 'fx_repl'@'%'/);
  });

  it('require_ssl: REQUIRE SSL on a new account, added to an existing one, converged when mysql.user says ANY', () => {
    const tls = { ...base, require_ssl: true };
    assert.deepEqual(
      plan(
        'mysql_user',
        tls,
        'mysql',
        facts({ 'SELECT host, ssl_type FROM mysql.user': '%\tANY\n' }),
      ),
      [],
    );
    assert.equal(
      shown(plan('mysql_user', tls, 'mysql', facts())),
      "ALTER USER 'fx_repl'@'%' REQUIRE SSL",
    );
    assert.match(
      shown(
        plan(
          'mysql_user',
          tls,
          'mysql',
          facts({ 'SELECT host, ssl_type FROM mysql.user': '' }, ''),
        ),
      ),
      /^CREATE USER IF NOT EXISTS 'fx_repl'@'%' IDENTIFIED WITH caching_sha2_password BY '\*{8}' REQUIRE SSL$/m,
    );
    assert.equal(
      shown(
        plan(
          'mysql_user',
          { ...base, require_ssl: 'false' },
          'mysql',
          facts({ 'SELECT host, ssl_type FROM mysql.user': '%\tANY\n' }),
        ),
      ),
      "ALTER USER 'fx_repl'@'%' REQUIRE NONE",
    );
  });

  it("require_ssl: true is for the accounts reached over the network; a localhost account (the server's socket, where TLS does not apply) is REQUIRE NONE", () => {
    const lkey = "mysql:'fx_repl'@'localhost'";
    const both = { ...base, hosts: 'localhost,10.0.0.12', require_ssl: true };
    const prints = formatFingerprints(
      new Map([
        [lkey, fingerprint(lkey, PASSWORD)],
        ["mysql:'fx_repl'@'10.0.0.12'", fingerprint("mysql:'fx_repl'@'10.0.0.12'", PASSWORD)],
      ]),
    );
    const grants = out('mysql-9.7-grants-replication-user');
    const state = (rows: string) =>
      facts(
        {
          'SELECT host, ssl_type FROM mysql.user': rows,
          "SHOW GRANTS FOR 'fx_repl'@'localhost'": grants.replace(/`%`/g, '`localhost`'),
          "SHOW GRANTS FOR 'fx_repl'@'10.0.0.12'": grants.replace(/`%`/g, '`10.0.0.12`'),
        },
        prints,
      );
    assert.deepEqual(plan('mysql_user', both, 'mysql', state('localhost\t\n10.0.0.12\tANY\n')), []);
    assert.equal(
      shown(plan('mysql_user', both, 'mysql', state('localhost\tANY\n10.0.0.12\t\n'))),
      "ALTER USER 'fx_repl'@'localhost' REQUIRE NONE\nALTER USER 'fx_repl'@'10.0.0.12' REQUIRE SSL",
    );
  });

  it('a record from before the site key: re-keyed, with no statement (the password is the same)', () => {
    const siteKey = { secret_fingerprint_key: 'site-key-0123456789abcdef0123456789' };
    const changes = plan('mysql_user', base, 'mysql', facts(), siteKey);
    assert.deepEqual(kinds(changes), ['write']);
    assert.match(
      (changes[0] as Extract<Change, { kind: 'write' }>).content.toString(),
      /\thmac-sha256:[0-9a-f]{64}\n$/,
    );
  });

  it('a changed password is rotated', () => {
    const changes = plan('mysql_user', { ...base, password: 'rotated-secret' }, 'mysql', facts());
    assert.equal(
      shown(changes),
      "ALTER USER 'fx_repl'@'%' IDENTIFIED WITH caching_sha2_password BY '********'",
    );
  });
});
