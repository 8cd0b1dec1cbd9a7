import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../support/cli';

const INVENTORY = 'inventories/production.example.yml';
const MANIFEST = '.foobar-render-manifest.json';

/**
 * `render --out DIR` never deletes or replaces a file it did not write:
 * `--out .` once wiped a project, .git included.
 */
describe('render --out keeps every file the tool did not write', function () {
  this.timeout(60_000);
  let work: string;
  beforeEach(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-render-out-'))));
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  const render = (out: string, ...more: string[]) =>
    cli('render', '-i', INVENTORY, '--out', out, ...more);

  it('refuses a non-empty folder that no render wrote, naming it, and leaves it as it was', async () => {
    const project = path.join(work, 'project');
    fs.mkdirSync(path.join(project, '.git'), { recursive: true });
    fs.writeFileSync(path.join(project, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(project, 'notes.txt'), 'mine\n');
    const r = await render(project);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`--out ${project}: the folder is not empty`));
    assert.deepEqual(fs.readdirSync(project).sort(), ['.git', 'notes.txt']);
    assert.equal(
      fs.readFileSync(path.join(project, '.git', 'HEAD'), 'utf8'),
      'ref: refs/heads/main\n',
    );
  });

  it('fills a new folder and an empty one, with a manifest of what it wrote', async () => {
    for (const out of [path.join(work, 'new', 'deep'), fs.mkdtempSync(path.join(work, 'empty-'))]) {
      const r = await render(out);
      assert.equal(r.code, 0, r.stderr);
      const manifest = JSON.parse(fs.readFileSync(path.join(out, MANIFEST), 'utf8')) as {
        files: string[];
      };
      assert.ok(manifest.files.includes('lb-01/etc/haproxy/haproxy.cfg'), manifest.files.join());
      for (const f of manifest.files) assert.ok(fs.existsSync(path.join(out, f)), f);
    }
  });

  it('a second render replaces only what the manifest lists; files added beside them stay', async () => {
    const out = path.join(work, 'out');
    assert.equal((await render(out)).code, 0);
    fs.writeFileSync(path.join(out, 'README'), 'my notes\n');
    fs.writeFileSync(path.join(out, 'lb-01', 'extra.txt'), 'mine too\n');
    const cfg = path.join(out, 'lb-01', 'etc', 'haproxy', 'haproxy.cfg');
    fs.writeFileSync(cfg, 'stale\n');
    const r = await render(out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(fs.readFileSync(path.join(out, 'README'), 'utf8'), 'my notes\n');
    assert.equal(fs.readFileSync(path.join(out, 'lb-01', 'extra.txt'), 'utf8'), 'mine too\n');
    assert.notEqual(fs.readFileSync(cfg, 'utf8'), 'stale\n');
  });

  it('files of hosts no longer rendered are removed, and only those', async () => {
    const out = path.join(work, 'out');
    assert.equal((await render(out)).code, 0);
    fs.writeFileSync(path.join(out, 'lb-01', 'keep.txt'), 'mine\n');
    const r = await render(out, '--limit', 'web');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!fs.existsSync(path.join(out, 'lb-01', 'etc', 'haproxy', 'haproxy.cfg')));
    assert.equal(fs.readFileSync(path.join(out, 'lb-01', 'keep.txt'), 'utf8'), 'mine\n');
    assert.ok(fs.existsSync(path.join(out, 'web-01')));
  });

  it('refuses to replace a file the earlier render did not write', async () => {
    const out = path.join(work, 'out');
    assert.equal((await render(out, '--limit', 'web')).code, 0);
    const cfg = path.join(out, 'lb-01', 'etc', 'haproxy', 'haproxy.cfg');
    fs.mkdirSync(path.dirname(cfg), { recursive: true });
    fs.writeFileSync(cfg, 'hand-made\n');
    const r = await render(out);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /lb-01\/etc\/haproxy\/haproxy\.cfg is already there and no earlier render wrote it/,
    );
    assert.equal(fs.readFileSync(cfg, 'utf8'), 'hand-made\n');
  });

  it('a manifest that names a path outside the folder is refused, and nothing is deleted', async () => {
    const out = path.join(work, 'out');
    assert.equal((await render(out)).code, 0);
    const victim = path.join(work, 'victim.txt');
    fs.writeFileSync(victim, 'keep\n');
    fs.writeFileSync(
      path.join(out, MANIFEST),
      JSON.stringify({ tool: 'foobar-infra render', version: 1, files: ['../victim.txt'] }),
    );
    const r = await render(out);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /leaves the folder/);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'keep\n');
  });

  it('a render that fails leaves the earlier output as it was', async () => {
    const out = path.join(work, 'out');
    assert.equal((await render(out)).code, 0);
    const before = fs.readFileSync(path.join(out, MANIFEST), 'utf8');
    const r = await cli(
      'render',
      '-i',
      'test/fixtures/inventories/good/minimal.yml',
      '--out',
      out,
      'test/fixtures/playbooks/missing-var.yml',
    );
    assert.equal(r.code, 1);
    assert.equal(fs.readFileSync(path.join(out, MANIFEST), 'utf8'), before);
    assert.ok(fs.existsSync(path.join(out, 'lb-01', 'etc', 'haproxy', 'haproxy.cfg')));
  });
});
