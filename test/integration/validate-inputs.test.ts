import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli, fixture, ROOT } from '../support/cli';

const EVERY = (f: string) => path.relative(ROOT, fixture('every-error', f));
const PRODUCTION = 'inventories/production.example.yml';

/** A copy of the project's playbooks and templates, with site.yml edited. */
function editedSite(parent: string, edit: (text: string) => string): string {
  const copy = fs.mkdtempSync(path.join(parent, 'project-'));
  fs.cpSync(path.join(ROOT, 'playbooks'), path.join(copy, 'playbooks'), { recursive: true });
  fs.cpSync(path.join(ROOT, 'templates'), path.join(copy, 'templates'), { recursive: true });
  const file = path.join(copy, 'playbooks', 'site.yml');
  const before = fs.readFileSync(file, 'utf8');
  const after = edit(before);
  assert.notEqual(after, before, 'the edit changed nothing');
  fs.writeFileSync(file, after);
  return file;
}

describe('validate: broken sites are errors, each named where it is', function () {
  this.timeout(60_000);
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-validate-'))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('a play whose hosts match no host is an error at the play, with a did-you-mean', async () => {
    const site = editedSite(work, (t) => t.replace(/^ {2}hosts: lb$/m, '  hosts: lbs'));
    const r = await cli('validate', '-i', PRODUCTION, site);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /site\.yml:25:10: \[1\]\.hosts: hosts: lbs matches no host of the inventory: no group or host "lbs" \(did you mean "lb"\?\)/,
    );
  });

  it('a when: error names the playbook file, not a path under templates/', async () => {
    const site = editedSite(work, (t) => t.replace('when: firewall\n', 'when: firewal\n'));
    const r = await cli('validate', '-i', PRODUCTION, path.relative(ROOT, site));
    assert.equal(r.code, 1, r.stderr);
    const rel = path.relative(ROOT, site);
    assert.ok(
      r.stderr.includes(`${rel}:6: task "nftables is installed": when: "firewal" is not defined`),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /templates\/.*site\.yml/);
  });

  it('inventory --playbook and graph --playbook: a missing file is an error, not ignored', async () => {
    for (const command of [['inventory', '--graph'], ['graph']]) {
      const r = await cli(...command, '-i', PRODUCTION, '--playbook', 'playbooks/nope.yml');
      assert.equal(r.code, 1, `${command}: ${r.stdout}`);
      assert.match(r.stderr, /playbooks\/nope\.yml: file not found/);
    }
  });

  it('reports every independent error of the inventory, the playbook and the templates in one run', async () => {
    const r = await cli('validate', '-i', EVERY('inventory.yml'), EVERY('site.yml'));
    assert.equal(r.code, 1);
    const expected = [
      /inventory\.yml:15:49: .*web-01\.ssh_port: must be 1-65535/,
      /inventory\.yml:17:\d+: .*web-02\.mysql_role: no host has mysql_role: primary/,
      /inventory\.yml:17:\d+: .*web-02\.mysql_source: mysql_source "web-09" is not a host of this inventory/,
      /site\.yml:9:10: .*hosts: lbs matches no host of the inventory.*\(did you mean "lb"\?\)/,
      /site\.yml:16:7: .*templat: unknown field or module \(did you mean "template"\?\)/,
      /lb\.conf\.hbs:3: variable "backend_name" is not defined \(host lb-01\)/,
    ];
    for (const e of expected) assert.match(r.stderr, e);
    // The web hosts have errors of their own: their templates are not tried (no knock-on errors).
    assert.doesNotMatch(r.stderr, /web\.conf\.hbs/);
    assert.match(r.stderr, /validate: 6 errors, 0 warnings/);
  });
});
