import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, runCli } from '../support/cli';

const REGENERATE = 'npm run docs';

describe('foobar-infra graph', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-graph-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('docs/topology.svg is what `graph --format svg` draws of the production example, byte for byte', () => {
    const out = path.join(tmp, 'topology.svg');
    const r = runCli([
      'graph',
      '--format',
      'svg',
      '-i',
      'inventories/production.example.yml',
      '-o',
      out,
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^wrote .*topology\.svg \(svg: 3 hosts, 9 connections\)\n$/);
    const drawn = fs.readFileSync(out);
    const committed = fs.readFileSync(path.join(ROOT, 'docs', 'topology.svg'));
    assert.ok(
      drawn.equals(committed),
      `docs/topology.svg is stale: regenerate it with \`${REGENERATE}\` and commit it`,
    );
    // Nothing else is left beside the output (the temporary file was renamed).
    assert.deepEqual(fs.readdirSync(tmp), ['topology.svg']);
  });

  it('writes Mermaid to stdout by default, for the default inventory', () => {
    const r = runCli(['graph']);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    assert.equal(lines[1], 'flowchart LR');
    assert.ok(lines.some((l) => /^ {2}subgraph n_host_web_01 \["web-01<br\/>/.test(l)));
    assert.ok(
      r.stdout.includes(
        '  n_web_01_mysql -.->|"replication, GTID auto-position<br/>TLS, CA verified<br/>from 10.0.0.11:3306',
      ),
    );
  });

  it('--format dot and svg on stdout', () => {
    const dot = runCli([
      'graph',
      '--format',
      'dot',
      '-i',
      'test/fixtures/inventories/good/three-web.yml',
    ]);
    assert.equal(dot.code, 0, dot.out);
    assert.match(dot.stdout, /^digraph topology \{$/m);
    assert.match(
      dot.stdout,
      /"lb-01\/haproxy" -> "web-03\/nginx" \[label="HTTP 192\.168\.50\.13:8080/,
    );
    const svg = runCli([
      'graph',
      '--format',
      'svg',
      '-i',
      'test/fixtures/inventories/good/three-web.yml',
    ]);
    assert.equal(svg.code, 0, svg.out);
    assert.match(svg.stdout, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg /);
    assert.match(svg.stdout, /<\/svg>\n$/);
  });

  it('needs no secret and prints none: references are never resolved', () => {
    const env = {
      ...process.env,
      FOOBAR_MYSQL_APP_PASSWORD: 'app-pw-4f1e9c',
      FOOBAR_MYSQL_ROOT_PASSWORD: 'root-pw-77ab20',
      FOOBAR_MYSQL_REPLICATION_PASSWORD: 'repl-pw-90dd13',
    };
    for (const format of ['mermaid', 'dot', 'svg']) {
      const r = runCli(['graph', '--format', format], env);
      assert.equal(r.code, 0, r.out);
      for (const secret of ['app-pw-4f1e9c', 'root-pw-77ab20', 'repl-pw-90dd13'])
        assert.ok(!r.out.includes(secret), `${format}: ${secret}`);
    }
  });

  it('loads no SSH code', () => {
    const hook = path.join(ROOT, 'dist', 'test', 'support', 'forbid-ssh.js');
    const r = spawnSync(process.execPath, ['--require', hook, BIN, 'graph', '--format', 'svg'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  it('a broken inventory: the usual file:line:col error, exit 1, and no file written', () => {
    const out = path.join(tmp, 'graph.mmd');
    const r = runCli([
      'graph',
      '-i',
      'test/fixtures/inventories/bad/duplicate-server-id.yml',
      '-o',
      out,
    ]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /duplicate-server-id\.yml:11:93: all\.children\.web\.hosts\.web-02\.server_id: server_id 1 is already used by host web-01/,
    );
    assert.deepEqual(fs.readdirSync(tmp), []);
  });

  it('a YAML syntax error and a missing file are errors with exit 1', () => {
    const syntax = runCli(['graph', '-i', 'test/fixtures/inventories/bad/yaml-syntax.yml']);
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /yaml-syntax\.yml:\d+:\d+: /);
    const missing = runCli(['graph', '-i', path.join(tmp, 'nope.yml')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.yml/);
  });

  it('an output folder that does not exist: exit 1 naming -o, nothing left behind', () => {
    const out = path.join(tmp, 'missing', 'graph.svg');
    const r = runCli(['graph', '--format', 'svg', '-o', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: -o .*missing\/graph\.svg: cannot write it \(ENOENT\)/);
    assert.deepEqual(fs.readdirSync(tmp), []);
  });

  it('an unknown format is a usage error', () => {
    const r = runCli(['graph', '--format', 'png']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /argument 'png' is invalid/);
  });
});
