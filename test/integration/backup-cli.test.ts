import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, fixture } from '../support/cli';

/**
 * `backup restore` refuses what it cannot do before it reaches any host:
 * each case exits 1 with the reason (the inventory's hosts do not exist).
 */
describe('backup restore: refused before any host is reached', () => {
  const inventory = fixture('inventories', 'good', 'minimal.yml');
  const cases: [string, string[], RegExp][] = [
    ['neither --at nor --latest', [], /give one of --at TIME or --latest/],
    ['both', ['--at', '2026-01-01T00:00:00Z', '--latest'], /give one of --at TIME or --latest/],
    [
      'a time that is not one',
      ['--at', 'yesterday-ish'],
      /--at "yesterday-ish": not a time with its zone/,
    ],
    [
      'a time without its zone (it would depend on the machine)',
      ['--at', '2026-12-05T07:00:00'],
      /--at "2026-12-05T07:00:00": not a time with its zone/,
    ],
    ['a bare number', ['--at', '1'], /--at "1": not a time with its zone/],
    ['a time to come', ['--at', '2999-01-01T00:00:00Z'], /that time has not come yet/],
    ['--tables without --to', ['--latest', '--tables', 'a'], /--tables goes with --to/],
    [
      'a table name that is not plain',
      ['--latest', '--to', 'web-01', '--force', '--tables', 'a;DROP'],
      /--tables: "a;DROP" is not a plain table name/,
    ],
    [
      '--to a host that is not there',
      ['--latest', '--to', 'web-9', '--force'],
      /--to web-9: no such host/,
    ],
    [
      '--to a replica',
      ['--latest', '--to', 'web-02', '--force'],
      /--to web-02: not the primary; a replica takes its data from the primary/,
    ],
    [
      '--to the primary without --force',
      ['--latest', '--to', 'web-01'],
      /--to web-01 writes the restored tables over the live primary's .*add --force/,
    ],
    [
      '--from a host that does not back up',
      ['--latest', '--from', 'lb-01'],
      /lb-01 names no backup host \(they are: web-02\)/,
    ],
  ];
  for (const [name, args, message] of cases)
    it(name, async () => {
      const r = await cli('backup', 'restore', '-i', inventory, ...args);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
    });

  it('backup list: no host takes backups when backups is false', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-backup-cli-'));
    try {
      const off = path.join(dir, 'off.yml');
      const text = fs.readFileSync(inventory, 'utf8');
      fs.writeFileSync(off, text.replace('  vars:\n', '  vars:\n    backups: false\n'));
      assert.notEqual(fs.readFileSync(off, 'utf8'), text);
      const r = await cli('backup', 'list', '-i', off);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /no host of .* takes backups: backups is false/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
