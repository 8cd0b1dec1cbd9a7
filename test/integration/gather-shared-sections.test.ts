import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseFact, parseFacts } from '../../src/facts/parse';
import { factCommand, gatherScript } from '../../src/facts/script';
import { factKey, type FactRequest } from '../../src/facts/types';

/**
 * Differential, on this machine's own coreutils: every file fact read from
 * the one shared section (one stat, one sha256sum) equals the fact read by
 * its own command, for every kind of path a playbook can name.
 */
describe('gather: file facts from the shared section equal those read one by one', () => {
  let dir: string;
  const sh = (script: string) => {
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-gather-files-'));
    fs.writeFileSync(path.join(dir, 'regular'), 'text\n', { mode: 0o640 });
    fs.writeFileSync(path.join(dir, 'empty'), '');
    fs.mkdirSync(path.join(dir, 'folder'), { mode: 0o750 });
    fs.symlinkSync(path.join(dir, 'regular'), path.join(dir, 'link'));
    fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
    fs.symlinkSync('folder', path.join(dir, 'relative link'));
    for (const name of [
      "it's here",
      'with space',
      'ümlaut',
      'tab\there',
      'back\\slash',
      'new\nline',
    ])
      fs.writeFileSync(path.join(dir, name), name);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('regular, empty, folder, links (to a file, dangling, relative), absent, and awkward names', () => {
    const names = fs.readdirSync(dir).concat(['absent', 'folder/absent-too']);
    const requests: FactRequest[] = names.map((n) => ({ kind: 'file', path: path.join(dir, n) }));
    const script = gatherScript(requests);
    // The names that stat and sha256sum print unambiguously share one section.
    assert.equal((script.match(/sha256sum/g) ?? []).length, 1 + 3, script);
    const shared = parseFacts(requests, sh(script));
    for (const r of requests) {
      const alone = parseFact(r, sh(factCommand(r)).replace(/\n$/, ''));
      assert.deepEqual(shared.get(factKey(r)), alone, (r as { path: string }).path);
    }
    const fact = (n: string) =>
      shared.get(factKey({ kind: 'file', path: path.join(dir, n) }))!.value;
    assert.deepEqual(
      ['regular', 'empty', 'folder', 'link', 'dangling', 'absent'].map((n) => {
        const f = fact(n) as { type?: string; exists: boolean };
        return [n, f.exists, f.type];
      }),
      [
        ['regular', true, 'file'],
        ['empty', true, 'file'],
        ['folder', true, 'directory'],
        ['link', true, 'link'],
        ['dangling', true, 'link'],
        ['absent', false, undefined],
      ],
    );
  });
});
