import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SITE } from '../../src/cli/site-project';
import { requireProject } from '../../src/engine/project';
import { parseHttpText } from '../../src/facts/kinds/http-text';
import { factKey, type Fact, type FactRequest } from '../../src/facts/types';
import { FactView } from '../../src/modules/fact-view';
import { TemplateEngine } from '../../src/render/template-engine';
import { monitorHosts } from '../../src/site/roles';
import { siteStatus, statusRequests, type HostAnswer } from '../../src/site/status/site-health';
import { fixture, ROOT } from '../support/cli';

const ALERTS =
  'http_text:http://127.0.0.1:9093/api/v2/alerts?active=true&silenced=false&inhibited=false';

/** Monitoring in status and in the templates: which hosts run Prometheus, the alerts they hold. */
describe('monitoring: the monitor hosts, and the alerts status shows', () => {
  let dir: string;
  const project = (monitor: string) => {
    const file = path.join(dir, `inventory-${Math.random().toString(36).slice(2)}.yml`);
    fs.writeFileSync(
      file,
      [
        'all:',
        '  vars: { ssh_user: deploy, lb_tls: false, firewall: false, mysql_tls: false }',
        '  children:',
        '    lb:',
        '      hosts:',
        '        lb-01: { address: 10.0.0.10 }',
        '    web:',
        '      hosts:',
        '        web-01: { address: 10.0.0.11, mysql_role: primary, server_id: 1 }',
        monitor,
      ].join('\n'),
    );
    return requireProject(file, path.join(ROOT, 'playbooks', 'site.yml'), SITE).inventory;
  };
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-monitoring-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('no monitor group: the first lb; a monitor group: its hosts with monitoring on; an empty one: none', () => {
    assert.deepEqual(
      monitorHosts(project('')).map((h) => h.name),
      ['lb-01'],
    );
    const group =
      '    monitor:\n      hosts:\n        mon-1: { address: 10.0.0.20 }\n        mon-2: { address: 10.0.0.21, monitoring: false }\n';
    const inventory = project(group);
    assert.deepEqual(
      monitorHosts(inventory).map((h) => h.name),
      ['mon-1'],
    );
    assert.ok(statusRequests(inventory, 'mon-1').map(factKey).includes(ALERTS));
    assert.ok(!statusRequests(inventory, 'lb-01').map(factKey).includes(ALERTS));
    assert.ok(!statusRequests(inventory, 'mon-2').map(factKey).includes(ALERTS));
    assert.deepEqual(monitorHosts(project('    monitor:\n      hosts: {}\n')), []);
  });

  it('the same alert from two monitor hosts is shown once; each Alertmanager that does not answer is a problem', () => {
    const inventory = project(
      '    monitor:\n      hosts:\n        mon-1: { address: 10.0.0.20 }\n        mon-2: { address: 10.0.0.21 }\n',
    );
    const alert = JSON.stringify([
      {
        labels: { alertname: 'HostDown', severity: 'critical', host: 'web-01' },
        annotations: { summary: 'web-01 does not answer (node_exporter not scraped)' },
        startsAt: '2026-12-05T10:00:00Z',
        status: { state: 'active' },
      },
    ]);
    const answers = new Map<string, HostAnswer>();
    for (const host of inventory.hosts.keys()) {
      const facts = new Map<string, Fact>();
      for (const r of statusRequests(inventory, host)) facts.set(factKey(r), answer(r, alert));
      answers.set(host, { ok: true, facts: new FactView(facts) });
    }
    const s = siteStatus(inventory, answers, 0);
    assert.deepEqual(
      s.alerts.map((a) => `${a.monitor} ${a.name}`),
      ['mon-1 HostDown'],
    );
    assert.equal(s.problems.filter((p) => p.startsWith('alert ')).length, 1, s.problems.join('\n'));
  });
});

/** A healthy answer to any status request; Alertmanager's list of alerts is `alerts`. */
function answer(r: FactRequest, alerts: string): Fact {
  switch (r.kind) {
    case 'units':
      return {
        kind: 'units',
        value: new Map(
          r.names.map((n) => [
            n,
            { name: n, loadState: 'loaded', activeState: 'active', subState: 'running' },
          ]),
        ),
      } as Fact;
    case 'http_text':
      return { kind: 'http_text', value: { ok: true, status: 200, body: alerts } };
    case 'http':
      return { kind: 'http', value: { status: 200 } };
    case 'haproxy_stat':
      return { kind: 'haproxy_stat', value: { ok: false, error: 'not asked here' } };
    case 'sql':
      return { kind: 'sql', value: { ok: true, output: '0' } };
    default:
      return { kind: r.kind, value: undefined } as unknown as Fact;
  }
}

describe('the http_text fact: status and body, or why not', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  it('a body and its status', () => {
    assert.deepEqual(parseHttpText(b64('[{"a":1}]\n200')), {
      ok: true,
      status: 200,
      body: '[{"a":1}]',
    });
    assert.deepEqual(parseHttpText(b64('\n404')), { ok: true, status: 404, body: '' });
  });
  it('nothing answered, curl missing, an answer cut off: errors', () => {
    assert.deepEqual(parseHttpText(b64('\n000')), { ok: false, error: 'no answer' });
    assert.deepEqual(parseHttpText('curl is not installed'), {
      ok: false,
      error: 'curl is not installed',
    });
    assert.deepEqual(parseHttpText(b64('x'.repeat(262_200))), {
      ok: false,
      error: 'the answer is too long',
    });
  });
});

describe('template helpers for lists of hosts', () => {
  const engine = new TemplateEngine(fixture('templates'));
  const render = (t: string, vars: Record<string, unknown>) =>
    engine.renderString(t, vars, 'inline');
  it('default: the value unless undefined (an empty list stays); take; hostport brackets IPv6', () => {
    const groups = { lb: [{ name: 'lb-01' }, { name: 'lb-02' }], monitor: [] };
    assert.equal(
      render('{{join (pluck (default (lookup groups "monitor") (take groups.lb 1)) "name") ","}}', {
        groups,
      }),
      '',
    );
    assert.equal(
      render('{{join (pluck (default (lookup groups "nope") (take groups.lb 1)) "name") ","}}', {
        groups,
      }),
      'lb-01',
    );
    assert.equal(
      render('{{hostport "10.0.0.1" 9100}} {{hostport "fd00::1" 9100}}', {}),
      '10.0.0.1:9100 [fd00::1]:9100',
    );
    assert.equal(render('{{#if (or 0 true)}}yes{{/if}}', {}), 'yes');
  });
});
