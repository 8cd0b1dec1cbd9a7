import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { parseInventory } from '../../src/inventory/load';
import { parseReplicaStatus } from '../../src/mysql';
import { promotedInventory } from '../../src/site/promote/inventory-roles';
import { checkPromotable, waitQuery } from '../../src/site/promote/promote-check';
import { fixture } from '../support/cli';
import { SITE_VARIABLES } from '../../src/site/variables';

/** Real `SHOW REPLICA STATUS` output (test/fixtures/mysql), parsed. */
const status = (name: string) =>
  parseReplicaStatus(
    (JSON.parse(fs.readFileSync(fixture('mysql', `${name}.json`), 'utf8')) as { output: string })
      .output,
  );

describe('promote: whether a replica may become the primary, from its own status', () => {
  it('caught up (MySQL 9.7, everything received applied): promotable at once', () => {
    assert.deepEqual(
      checkPromotable('web-02', 'mysql', status('mysql-9.7-replica-status-running')),
      { ok: true },
    );
  });

  it('the source gone (IO thread connecting) but all received applied: promotable', () => {
    assert.deepEqual(
      checkPromotable('web-02', 'mysql', status('mysql-9.7-replica-status-io-error')),
      { ok: true },
    );
  });

  it('received but not yet applied: promotable after waiting for exactly the received set', () => {
    const s = status('mysql-9.7-replica-status-running')!;
    const behind = { ...s, retrievedGtidSet: `${s.executedGtidSet!.split(':')[0]}:1-12` };
    const v = checkPromotable('web-02', 'mysql', behind);
    assert.deepEqual(v, {
      ok: true,
      waitFor: { kind: 'mysql-gtid-set', position: behind.retrievedGtidSet },
    });
    assert.equal(
      waitQuery((v as { waitFor: Parameters<typeof waitQuery>[0] }).waitFor, 30),
      `SELECT WAIT_FOR_EXECUTED_GTID_SET('${behind.retrievedGtidSet}', 30)`,
    );
  });

  it('refused: broken (SQL error), SQL thread stopped, lagging behind a live source, not a replica', () => {
    const broken = checkPromotable('web-02', 'mysql', status('mysql-9.7-replica-status-sql-error'));
    assert.equal(broken.ok, false);
    assert.match((broken as { reason: string }).reason, /SQL thread stopped on error 1062/);
    const stopped = checkPromotable('web-02', 'mysql', status('mysql-9.7-replica-status-stopped'));
    assert.match((stopped as { reason: string }).reason, /SQL thread of web-02 is not running/);
    const s = status('mysql-9.7-replica-status-running')!;
    const lagging = checkPromotable('web-02', 'mysql', { ...s, secondsBehind: 120 });
    assert.match((lagging as { reason: string }).reason, /web-02 is 120 s behind its source/);
    assert.match(
      (checkPromotable('web-02', 'mysql', undefined) as { reason: string }).reason,
      /not a replica: replication is not set up/,
    );
  });

  it('already a primary (writable, no replication: an earlier promote got that far): finish the rest', () => {
    assert.deepEqual(checkPromotable('web-02', 'mysql', undefined, undefined, true), {
      ok: true,
      already: true,
    });
  });

  it('MariaDB 10.11: the IO position against the applied one, MASTER_GTID_WAIT to catch up', () => {
    const s = status('mariadb-10.11-replica-status-running')!;
    assert.deepEqual(checkPromotable('web-02', 'mariadb', s, s.gtidIoPos), { ok: true });
    const v = checkPromotable('web-02', 'mariadb', s, '0-1-5');
    assert.deepEqual(v, { ok: true, waitFor: { kind: 'mariadb-gtid-pos', position: s.gtidIoPos } });
    assert.equal(
      waitQuery((v as { waitFor: Parameters<typeof waitQuery>[0] }).waitFor, 10),
      `SELECT MASTER_GTID_WAIT('${s.gtidIoPos}', 10)`,
    );
  });

  it('the wait query writes the position as a SQL string literal: a quote or backslash in it cannot end the literal', () => {
    const odd = { kind: 'mysql-gtid-set' as const, position: "uuid:1-5\\' OR 1" };
    // Whitespace goes (a GTID set printed over lines), then the quote is doubled and the backslash escaped.
    assert.equal(waitQuery(odd, 10), "SELECT WAIT_FOR_EXECUTED_GTID_SET('uuid:1-5\\\\''OR1', 10)");
  });
});

describe('promote: the inventory change, made on the text', () => {
  const promoted = (file: string, host: string) => {
    const text = fs.readFileSync(file, 'utf8');
    const inventory = parseInventory(file, text, {
      declared: [],
      variables: SITE_VARIABLES,
    }).value!;
    return { text, out: promotedInventory(text, inventory, host) };
  };

  it('flow-style hosts: only the lines of the hosts whose roles change, in their style; other replicas follow', () => {
    const { text, out } = promoted(fixture('inventories', 'good', 'three-web.yml'), 'web-02');
    const changed = out.split('\n').filter((line, i) => line !== text.split('\n')[i]);
    assert.deepEqual(changed, [
      '        web-01: { address: 192.168.50.11, mysql_role: replica, server_id: 11, mysql_source: web-02 }',
      '        web-02: { address: 192.168.50.12, mysql_role: primary, server_id: 12 }',
      '        web-03: { address: 192.168.50.13, mysql_role: replica, mysql_source: web-02, server_id: 13 }',
    ]);
    assert.equal(out.split('\n').length, text.split('\n').length);
  });

  it('block-style hosts with comments around them: the rest of the file byte for byte', () => {
    const { text, out } = promoted('inventories/production.example.yml', 'web-02');
    const web01 = out.slice(out.indexOf('        web-01:'), out.indexOf('        web-02:'));
    assert.match(web01, /^ {10}mysql_role: replica$/m);
    assert.match(web01, /^ {10}mysql_source: web-02\n$/m);
    const web02 = out.slice(out.indexOf('        web-02:'));
    assert.match(web02, /^ {10}mysql_role: primary$/m);
    assert.doesNotMatch(web02, /mysql_source/);
    // Everything before the web hosts (comments included) is unchanged.
    const head = text.slice(0, text.indexOf('        web-01:'));
    assert.ok(out.startsWith(head));
    // And the result is a valid inventory with the roles swapped.
    const again = parseInventory('x.yml', out, { declared: [], variables: SITE_VARIABLES });
    assert.equal(again.diagnostics.filter((d) => d.severity === 'error').length, 0);
    assert.equal(again.value!.hosts.get('web-01')!.vars.mysql_source, 'web-02');
  });
});
