import { strict as assert } from 'node:assert';
import { releaseArgs } from '../../src/modules/release';

describe('release: shared paths are relative paths of names', () => {
  const base = { src: 'site', dir: '/srv/app' };
  for (const good of ['uploads', '.env', 'public/uploads', 'a.b/c-d_e'])
    it(`${good} is taken`, () =>
      assert.ok(releaseArgs.safeParse({ ...base, shared_dirs: [good] }).success));
  for (const bad of ['uploads/', '/uploads', 'a//b', './uploads', 'a/../b', '..', '.', ''])
    it(`${JSON.stringify(bad)} is refused`, () =>
      assert.equal(releaseArgs.safeParse({ ...base, shared_files: [bad] }).success, false));
});
