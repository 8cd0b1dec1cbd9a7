import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AnsibleInventory, listing } from '../support/ansible';
import { cli, fixture } from '../support/cli';

/**
 * The differential test: for every inventory of the corpus, `inventory
 * --list` and `--graph` equal ansible-inventory's, host by host and group by
 * group. ansible-inventory comes from Debian's ansible-core, installed by
 * .ci/run; under CI a missing one fails, it never skips.
 */
const CORPUS = fixture('ansible-corpus');
const REFUSED = path.join(CORPUS, '_refused');

interface Case {
  name: string;
  about: string;
  inventory: string;
  playbook: string;
}

function cases(): Case[] {
  return fs
    .readdirSync(CORPUS)
    .filter((name) => !name.startsWith('_'))
    .sort()
    .map((name) => {
      const dir = path.join(CORPUS, name);
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as {
        about: string;
        inventory?: string;
      };
      return {
        name,
        about: meta.about,
        inventory: path.join(dir, meta.inventory ?? 'inventory.yml'),
        playbook: path.join(dir, 'playbook', 'site.yml'),
      };
    });
}

describe('differential: inventory --list and --graph equal ansible-inventory', function () {
  this.timeout(60_000);
  const ansible = new AnsibleInventory();
  let version: string | undefined;

  before(function () {
    version = ansible.version();
  });

  const needAnsible = (ctx: Mocha.Context) => {
    if (version) return;
    if (process.env.CI === 'true')
      assert.fail('ansible-inventory is not installed: .ci/run installs ansible-core');
    ctx.skip();
  };

  it('the corpus holds at least 20 inventories, each with what it covers', () => {
    const all = cases();
    assert.ok(all.length >= 20, `only ${all.length} cases`);
    for (const c of all) assert.ok(c.about, `${c.name}/case.json says what it covers`);
  });

  it('ansible-inventory is installed (under CI it must be)', function () {
    needAnsible(this);
    assert.match(version!, /ansible-inventory \[core \d+\.\d+/);
  });

  for (const c of cases()) {
    it(`${c.name}: ${c.about}`, async function () {
      needAnsible(this);
      const ours = await cli('inventory', '-i', c.inventory, '--playbook', c.playbook, '--list');
      assert.equal(ours.code, 0, ours.stderr);
      const dir = path.dirname(c.playbook);
      const theirs = ansible.query(c.inventory, dir, '--list');
      assert.deepEqual(listing(ours.stdout), listing(theirs, true));
      const graph = await cli('inventory', '-i', c.inventory, '--playbook', c.playbook, '--graph');
      assert.equal(graph.stdout.trimEnd(), ansible.query(c.inventory, dir, '--graph').trimEnd());
    });
  }
});

describe('differential corpus: what the tool does not read is refused by name', () => {
  for (const name of fs.readdirSync(REFUSED).sort()) {
    const dir = path.join(REFUSED, name);
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'case.json'), 'utf8')) as {
      inventory: string;
      refused: string;
    };
    it(`${name}: ${meta.refused}`, async () => {
      const r = await cli('inventory', '-i', path.join(dir, meta.inventory), '--list');
      assert.equal(r.code, 1, r.stdout);
      assert.ok(r.stderr.includes(meta.refused), `expected\n  ${meta.refused}\nin\n${r.stderr}`);
      assert.equal(r.stdout, '');
    });
  }
});
