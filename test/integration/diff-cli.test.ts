import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planDocumentSchema } from '../../src/report/plan-schema';
import { ROOT, cli, editedProjectCopy } from '../support/cli';

const INVENTORY = 'inventories/production.example.yml';

/** `diff` without hosts: the offline --against mode, its exit codes and its outputs. */
describe('the diff command, offline (--against) and its errors', () => {
  let work: string;
  let earlier: string;

  const editedCopy = (name: string, edit: (text: string) => string): string =>
    editedProjectCopy(work, name, edit);

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-diff-cli-'));
    earlier = path.join(work, 'earlier');
    const r = await cli('render', '-i', INVENTORY, '--out', earlier);
    assert.equal(r.code, 0, r.stderr);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it('an unchanged render: exit 0, every host converged, no diff', async () => {
    const r = await cli('diff', '-i', INVENTORY, '--against', earlier);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^converged: lb-01, web-01, web-02$/m);
    assert.doesNotMatch(r.stdout, /^\s*@@/m);
  });

  it('a template edit: exit 2, the config diff shown once for the two web hosts, a valid JSON plan in --out', async () => {
    const playbook = editedCopy('nginx.conf.hbs', (t) =>
      t.replace(/keepalive_timeout \d+;/, 'keepalive_timeout 5;'),
    );
    const out = path.join(work, 'plan.json');
    const r = await cli('diff', '-i', INVENTORY, playbook, '--against', earlier, '--out', out);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /^web-01, web-02: 1 change each$/m);
    assert.equal(r.stdout.match(/\+ {4}keepalive_timeout 5;/g)?.length, 1, r.stdout);
    assert.match(r.stdout, /^converged: lb-01$/m);
    assert.match(r.stdout, /Exit 2: changes pending/);
    const plan = planDocumentSchema.parse(JSON.parse(fs.readFileSync(out, 'utf8')));
    assert.equal(plan.mode, 'offline');
    assert.equal(plan.exitCode, 2);
    assert.deepEqual(plan.groups, [{ hosts: ['web-01', 'web-02'] }]);
    assert.equal(plan.hosts[1]!.changes[0]!.path, '/etc/nginx/nginx.conf');
    assert.equal(plan.hosts[1]!.changes[0]!.task, 'nginx.conf');
    assert.deepEqual(
      fs.readdirSync(work).filter((f) => f.includes('.tmp-')),
      [],
      'no temp file is left beside --out',
    );
  });

  it('--format json prints one document that matches the schema', async () => {
    const r = await cli('diff', '-i', INVENTORY, '--against', earlier, '--format', 'json');
    assert.equal(r.code, 0, r.stderr);
    const plan = planDocumentSchema.parse(JSON.parse(r.stdout));
    assert.equal(plan.status, 'converged');
    assert.equal(plan.summary.hosts, 3);
  });

  it('--limit narrows the comparison to the matching hosts', async () => {
    const playbook = editedCopy('haproxy.cfg.hbs', (t) =>
      t.replace('maxconn {{lb_maxconn}}', 'maxconn 8'),
    );
    const r = await cli(
      'diff',
      '-i',
      INVENTORY,
      playbook,
      '--against',
      earlier,
      '--limit',
      'web',
      '--format',
      'json',
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const plan = planDocumentSchema.parse(JSON.parse(r.stdout));
    assert.deepEqual(
      plan.hosts.map((h) => h.name),
      ['web-01', 'web-02'],
    );
  });

  it('files and hosts only in the earlier render are reported, not silently dropped', async () => {
    const copy = path.join(work, 'extra');
    fs.cpSync(earlier, copy, { recursive: true });
    fs.mkdirSync(path.join(copy, 'web-09', 'etc'), { recursive: true });
    fs.writeFileSync(path.join(copy, 'web-09', 'etc', 'old.conf'), 'x\n');
    fs.writeFileSync(path.join(copy, 'lb-01', 'etc', 'gone.conf'), 'y\n');
    const r = await cli('diff', '-i', INVENTORY, '--against', copy, '--format', 'json');
    assert.equal(r.code, 2, r.stderr);
    const plan = planDocumentSchema.parse(JSON.parse(r.stdout));
    const lb = plan.hosts.find((h) => h.name === 'lb-01')!;
    assert.deepEqual(
      lb.changes.map((c) => [c.action, c.path]),
      [['unmanaged', '/etc/gone.conf']],
    );
    const gone = plan.hosts.find((h) => h.name === 'web-09')!;
    assert.match(gone.changes[0]!.reason, /no longer in the inventory/);
  });

  it('a missing or empty --against folder is an error (exit 1) naming it', async () => {
    const missing = path.join(work, 'nope');
    const r = await cli('diff', '-i', INVENTORY, '--against', missing);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`--against ${missing}: cannot read it \\(ENOENT\\)`));
    const empty = fs.mkdtempSync(path.join(work, 'empty-'));
    const e = await cli('diff', '-i', INVENTORY, '--against', empty);
    assert.equal(e.code, 1);
    assert.match(e.stderr, /no host folders in it/);
  });

  it('a broken inventory is exit 1 (never 2) with its file:line:col diagnostic', async () => {
    const bad = path.join(ROOT, 'test', 'fixtures', 'inventories', 'bad');
    const file = fs.readdirSync(bad).find((f) => f.endsWith('.yml'))!;
    const r = await cli('diff', '-i', path.join(bad, file), '--against', earlier);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\.yml(:\d+:\d+)?: /);
  });

  it('a template error is exit 1 with the template, line and host', async () => {
    const playbook = editedCopy('haproxy.cfg.hbs', (t) => `${t}{{no_such_variable}}\n`);
    const r = await cli('diff', '-i', INVENTORY, playbook, '--against', earlier);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /haproxy\.cfg\.hbs:\d+: .*no_such_variable/);
  });

  it('an --out that cannot be written is exit 1, and leaves no temp file', async () => {
    const out = path.join(work, 'no-such-folder', 'plan.json');
    const r = await cli('diff', '-i', INVENTORY, '--against', earlier, '--out', out);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--out .*plan\.json: cannot write it/);
    assert.equal(fs.existsSync(path.dirname(out)), false);
  });
});
