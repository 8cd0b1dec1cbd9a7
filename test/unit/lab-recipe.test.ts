import { strict as assert } from 'node:assert';
import { FLAVORS } from '../../src/lab/flavors';
import { differences } from '../../src/lab/lab-up';
import type { HostPlan } from '../../src/lab/plan-names';
import type { LabState } from '../../src/lab/state';
import type { Subnet } from '../../src/lab/subnet';
import {
  canonicalJson,
  imageId,
  imageRecipe,
  recipeKey,
  repoId,
  repoRecipe,
} from '../../src/lab/recipe';

describe('lab recipes and cache keys', () => {
  const sid = imageRecipe(FLAVORS.mysql);

  it('the mysql flavour is sid with MySQL, the mariadb flavour trixie (Debian stable) with MariaDB', () => {
    assert.equal(sid.suite, 'sid');
    assert.equal(imageRecipe(FLAVORS.mariadb).suite, 'trixie');
    assert.ok(repoRecipe(FLAVORS.mysql, 'x').packages.includes('mysql-server'));
    assert.ok(repoRecipe(FLAVORS.mariadb, 'x').packages.includes('mariadb-server'));
    for (const p of ['haproxy', 'nginx', 'nodejs', 'nftables', 'keepalived', 'rsync', 'socat']) {
      assert.ok(repoRecipe(FLAVORS.mysql, 'x').packages.includes(p), p);
    }
  });

  it('the image holds no server package: hosts start bare', () => {
    for (const p of ['haproxy', 'nginx', 'nodejs', 'mysql-server', 'mariadb-server', 'python3']) {
      assert.ok(!sid.packages.includes(p), p);
    }
  });

  it('a key is stable, and ignores package order and duplicates', () => {
    assert.equal(recipeKey(sid), recipeKey(imageRecipe(FLAVORS.mysql)));
    const shuffled = { ...sid, packages: [...sid.packages].reverse().concat(sid.packages[0]) };
    assert.equal(recipeKey(shuffled), recipeKey(sid));
    assert.match(imageId(sid), /^sid-[0-9a-f]{12}$/);
  });

  it('a changed recipe gets a new key', () => {
    const keys = new Set([
      recipeKey(sid),
      recipeKey({ ...sid, suite: 'forky' }),
      recipeKey({ ...sid, version: sid.version + 1 }),
      recipeKey({ ...sid, packages: [...sid.packages, 'less'] }),
      recipeKey(imageRecipe(FLAVORS.mariadb)),
    ]);
    assert.equal(keys.size, 5);
  });

  it('a repository is keyed by its image too', () => {
    const a = repoRecipe(FLAVORS.mysql, 'sid-aaaaaaaaaaaa');
    const b = repoRecipe(FLAVORS.mysql, 'sid-bbbbbbbbbbbb');
    assert.notEqual(repoId(a), repoId(b));
    assert.match(repoId(a), /^mysql-[0-9a-f]{12}$/);
  });

  it('canonical JSON sorts keys at every level', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, 1], c: null } }),
      '{"a":{"c":null,"d":[2,1]},"b":1}',
    );
  });

  it('a running lab booted from an older recipe (a package added since) is refused by `lab up`, naming it', () => {
    const image = imageId(imageRecipe(FLAVORS.mysql));
    const repo = repoId(repoRecipe(FLAVORS.mysql, image));
    const hosts = [{ name: 'lb-01' }] as unknown as HostPlan[];
    const state = { flavor: 'mysql', subnet: '10.9.0.0/24', hosts, imageId: image, repoId: repo };
    const subnet = { cidr: '10.9.0.0/24' } as Subnet;
    const same = (s: object) => differences(s as LabState, 'mysql', subnet, hosts);
    assert.deepEqual(same(state), []);
    assert.deepEqual(same({ ...state, repoId: 'mysql-0123456789ab' }), [
      `an image or package repository of an older recipe (mysql-0123456789ab, now ${repo})`,
    ]);
    assert.equal(same({ ...state, imageId: 'sid-0123456789ab' }).length, 1);
  });
});
