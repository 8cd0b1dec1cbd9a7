import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { cli, fixture, ROOT } from '../support/cli';
import { hasCommand, requireOrSkip } from '../support/requirements';

const CASES = fixture('prometheus');
const RULES = 'etc/prometheus/foobar-alerts.yml';

/**
 * The site's alert rules as the tool renders them, run by `promtool test
 * rules` on every case of test/fixtures/prometheus (tests as data); and
 * `validate` refusing a broken rule.
 */
describe('alert rules: promtool test rules on the rendered rules', function () {
  let work: string;

  before(async function () {
    requireOrSkip(
      this,
      hasCommand('promtool'),
      'promtool is not installed (Debian package prometheus)',
    );
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-rules-'));
    const r = await cli(
      'render',
      '-i',
      'inventories/production.example.yml',
      '--out',
      path.join(work, 'out'),
    );
    assert.equal(r.code, 0, r.stderr);
    fs.copyFileSync(path.join(work, 'out', 'lb-01', RULES), path.join(work, 'alerts.yml'));
  });
  after(() => work && fs.rmSync(work, { recursive: true, force: true }));

  const files = fs
    .readdirSync(CASES)
    .filter((f) => f.endsWith('.test.yml'))
    .sort();
  it('has a case that fires each alert of the template', () => {
    const template = fs.readFileSync(
      path.join(ROOT, 'templates/prometheus-alerts.yml.hbs'),
      'utf8',
    );
    const alerts = [...template.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    const fired = new Set<string>();
    for (const f of files) {
      const doc = parse(fs.readFileSync(path.join(CASES, f), 'utf8')) as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
      };
      for (const t of doc.tests)
        for (const a of t.alert_rule_test ?? [])
          if (a.exp_alerts.length > 0) fired.add(a.alertname);
    }
    assert.deepEqual(
      alerts.filter((a) => !fired.has(a)),
      [],
    );
  });
  for (const file of files)
    it(file.replace(/\.test\.yml$/, ''), () => {
      fs.copyFileSync(path.join(CASES, file), path.join(work, file));
      const r = spawnSync('promtool', ['test', 'rules', file], { cwd: work, encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    });
});

describe('validate: the alert rules checked by promtool', function () {
  let project: string;

  before(function () {
    requireOrSkip(
      this,
      hasCommand('promtool'),
      'promtool is not installed (Debian package prometheus)',
    );
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-broken-rule-'));
    fs.cpSync(path.join(ROOT, 'playbooks'), path.join(project, 'playbooks'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'templates'), path.join(project, 'templates'), { recursive: true });
    fs.copyFileSync(
      path.join(ROOT, 'inventories/production.example.yml'),
      path.join(project, 'inventory.yml'),
    );
  });
  after(() => project && fs.rmSync(project, { recursive: true, force: true }));

  it("a rule with a broken expression fails validate, naming the task and promtool's reason", async () => {
    const rules = path.join(project, 'templates/prometheus-alerts.yml.hbs');
    fs.writeFileSync(
      rules,
      fs
        .readFileSync(rules, 'utf8')
        .replace('expr: up{job="node"} == 0', 'expr: up{job="node" == 0'),
    );
    const r = await cli(
      'validate',
      '-i',
      path.join(project, 'inventory.yml'),
      path.join(project, 'playbooks/site.yml'),
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /site\.yml:\d+: task "The alert rules": `promtool check rules \/etc\/prometheus\/foobar-alerts\.yml` refuses the file rendered for lb-01/,
    );
    assert.match(r.stderr, /HostDown|parse error|unexpected/);
  });
});
