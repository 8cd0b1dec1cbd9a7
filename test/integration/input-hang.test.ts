import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture } from '../support/cli';
import { crashOf, runBounded } from '../support/bounded';

/**
 * Inputs that once made every command hang (a regex that backtracked
 * exponentially on comment headers). Each runs the real executable under a
 * generous time limit: a hang fails the test, it never stalls the suite.
 */
describe('inputs read in linear time: no header, size or shape makes a command hang', function () {
  this.timeout(120_000);
  const minimal = fs.readFileSync(fixture('inventories', 'good', 'minimal.yml'), 'utf8');
  const playbook = fixture('playbooks', 'engine.yml');
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-hang-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  const cases: [string, () => string][] = [
    ['a 10,000-line comment header', () => '# a comment line\n'.repeat(10_000) + minimal],
    [
      'a boxed ##### header',
      () => `${'#'.repeat(60)}\n${'# Inventory of the site'.padEnd(59)}#\n`.repeat(40) + minimal,
    ],
    ['comment lines with blank lines between them', () => '# note\n\n'.repeat(5_000) + minimal],
    [
      'a comment header indented with spaces and tabs',
      () => ' \t# x # y #\n'.repeat(5_000) + minimal,
    ],
  ];
  for (const [name, text] of cases) {
    it(`${name}: validate accepts the inventory`, () => {
      const r = runBounded(['validate', '-i', write('header.yml', text()), playbook]);
      assert.equal(crashOf(r), undefined);
      assert.equal(r.code, 0, r.stderr);
    });
  }

  it('a file of 10,000 comment lines only is "file is empty", at once', () => {
    const file = write('comments.yml', `${'#'.repeat(40)}\n# x #\n`.repeat(5_000));
    const r = runBounded(['validate', '-i', file, playbook]);
    assert.equal(crashOf(r), undefined);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /comments\.yml:1:1: file is empty/);
  });

  it('a 1 MB inventory (8,000 hosts) loads', () => {
    const spare = Array.from(
      { length: 8_000 },
      (_, i) =>
        `        spare-${i}: { address: 10.${(i >> 8) & 255}.${i & 255}.7, web_port: 8080, app_port: 3000, domain: spare-${i}.example.org } # spare host number ${i}`,
    ).join('\n');
    const text = `${minimal}    spare:\n      hosts:\n${spare}\n`;
    assert.ok(text.length > 1_000_000, `${text.length} bytes`);
    const r = runBounded(['inventory', '--graph', '-i', write('big.yml', text)]);
    assert.equal(crashOf(r), undefined);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /spare-7999/);
  });
});
