import { strict as assert } from 'node:assert';
import { FLAVORS } from '../../src/lab/flavors';
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

  it('the mysql flavour is sid with MySQL, the mariadb flavour bookworm with MariaDB', () => {
    assert.equal(sid.suite, 'sid');
    assert.equal(imageRecipe(FLAVORS.mariadb).suite, 'bookworm');
    assert.ok(repoRecipe(FLAVORS.mysql, 'x').packages.includes('mysql-server'));
    assert.ok(repoRecipe(FLAVORS.mariadb, 'x').packages.includes('mariadb-server'));
    for (const p of ['haproxy', 'nginx', 'nodejs', 'nftables', 'keepalived', 'rsync']) {
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
      recipeKey({ ...sid, suite: 'trixie' }),
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
});
