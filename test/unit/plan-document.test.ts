import { strict as assert } from 'node:assert';
import type { EngineEvent, TaskStatus } from '../../src/engine/events';
import type { HostFiles } from '../../src/engine/desired-files';
import type { ValidationResult } from '../../src/engine/inspect-script';
import type { FileFact } from '../../src/facts/types';
import type { Change } from '../../src/changes/model';
import { offlinePlan, type EarlierRender } from '../../src/report/offline-plan';
import {
  PlanCollector,
  changeEntry,
  finishDocument,
  type PlanMeta,
} from '../../src/report/plan-document';
import { planDocumentSchema, type PlanDocument } from '../../src/report/plan-schema';
import { planText, summaryLine } from '../../src/report/plan-text';

const META: PlanMeta = {
  toolVersion: '0.1.0',
  mode: 'live',
  inventory: 'inventories/lab.yml',
  playbook: 'playbooks/site.yml',
};
const PLAY = 'web servers';
const NGINX = '/etc/nginx/nginx.conf';

const absent = (path: string): FileFact => ({ path, exists: false });
const regular = (path: string): FileFact => ({ path, exists: true, type: 'file', mode: '0644' });

function write(path: string, before: FileFact = regular(path)): Change {
  return {
    kind: 'write',
    path,
    content: Buffer.from('planned\n'),
    mode: '0644',
    owner: 'root',
    group: 'root',
    backup: false,
    before,
    secret: false,
  };
}

const play = (hosts: string[]): EngineEvent => ({ type: 'play', play: PLAY, hosts, check: true });
function task(
  host: string,
  name: string,
  status: TaskStatus,
  changes: Change[] = [],
  extra: { handler?: boolean; error?: string } = {},
): EngineEvent {
  return {
    type: 'task',
    host,
    play: PLAY,
    task: name,
    status,
    changes,
    handler: extra.handler ?? false,
    ...(extra.error !== undefined ? { error: extra.error } : {}),
  };
}
const diff = (
  host: string,
  name: string,
  path: string,
  hunks: string[],
  created = false,
): EngineEvent => ({ type: 'diff', host, task: name, path, created, hunks, masked: false });
const validation = (
  host: string,
  name: string,
  path: string,
  result: ValidationResult,
): EngineEvent => ({ type: 'validation', host, task: name, path, result });
const recap = (hosts: string[]): EngineEvent => ({
  type: 'recap',
  hosts: Object.fromEntries(
    hosts.map((h) => [h, { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0 }]),
  ),
});

/** Feeds the events to a collector; the document, checked against the schema. */
function collect(events: EngineEvent[], order: string[], meta: PlanMeta = META): PlanDocument {
  const c = new PlanCollector();
  for (const e of events) c.emit(e);
  return valid(c.document(meta, order));
}

function valid(doc: PlanDocument): PlanDocument {
  // A round trip through JSON, as the document is written: it must still parse.
  planDocumentSchema.parse(JSON.parse(JSON.stringify(doc)));
  return doc;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;
const HUNKS = ['@@ -1 +1 @@', '-worker_processes 1;', '+worker_processes 2;'];

describe('plan document: engine events → document, exit code, text', () => {
  describe('status and exit code', () => {
    const cases: { name: string; events: EngineEvent[]; status: string; exitCode: number }[] = [
      {
        name: 'no changes → converged, exit 0',
        events: [
          play(['web-01', 'web-02']),
          task('web-01', 'nginx config', 'ok'),
          task('web-02', 'nginx config', 'ok'),
          recap(['web-01', 'web-02']),
        ],
        status: 'converged',
        exitCode: 0,
      },
      {
        name: 'skipped tasks only → converged, exit 0',
        events: [play(['web-01']), task('web-01', 'nginx config', 'skipped')],
        status: 'converged',
        exitCode: 0,
      },
      {
        name: 'a change → changes, exit 2',
        events: [
          play(['web-01', 'web-02']),
          task('web-01', 'nginx config', 'changed', [write(NGINX)]),
          task('web-02', 'nginx config', 'ok'),
        ],
        status: 'changes',
        exitCode: 2,
      },
      {
        name: 'a failed host beside a host with changes → error, exit 1',
        events: [
          play(['web-01', 'web-02']),
          task('web-01', 'nginx config', 'changed', [write(NGINX)]),
          task('web-02', 'nginx config', 'failed', [], { error: 'template error' }),
        ],
        status: 'error',
        exitCode: 1,
      },
      {
        name: 'an unreachable host beside a host with changes → error, exit 1',
        events: [
          play(['web-01', 'web-02']),
          task('web-01', 'nginx config', 'changed', [write(NGINX)]),
          { type: 'unreachable', host: 'web-02', error: 'connect: timed out after 10 s' },
        ],
        status: 'error',
        exitCode: 1,
      },
      {
        name: 'an unreachable host alone → error, exit 1',
        events: [
          play(['web-01']),
          { type: 'unreachable', host: 'web-01', error: 'connect: refused' },
        ],
        status: 'error',
        exitCode: 1,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const doc = collect(c.events, ['web-01', 'web-02']);
        assert.equal(doc.status, c.status);
        assert.equal(doc.exitCode, c.exitCode);
        assert.match(summaryLine(doc), new RegExp(`Exit ${c.exitCode}: `));
      });
    }
  });

  it('the document carries the meta: version, tool, mode, inventory, playbook', () => {
    const doc = collect([play(['web-01'])], ['web-01']);
    assert.equal(doc.version, 1);
    assert.deepEqual(doc.tool, { name: 'foobar-infra', version: '0.1.0' });
    assert.equal(doc.mode, 'live');
    assert.equal(doc.inventory, 'inventories/lab.yml');
    assert.equal(doc.playbook, 'playbooks/site.yml');
    assert.equal('against' in doc, false);
  });

  it('converged: every host listed as converged, with the summary line', () => {
    const doc = collect(
      [play(['web-02', 'web-01']), task('web-01', 'x', 'ok'), task('web-02', 'x', 'ok')],
      ['web-01', 'web-02'],
    );
    assert.deepEqual(doc.groups, []);
    const text = planText(doc);
    assert.match(text, /^PLAN: playbooks\/site\.yml with inventories\/lab\.yml, compared with/);
    assert.ok(text.includes('\nconverged: web-01, web-02\n'), text);
    assert.equal(
      summaryLine(doc),
      'Plan: 0 changes on 0 hosts, 2 converged, 0 failed, 0 unreachable. Exit 0: converged.',
    );
    assert.ok(text.endsWith(summaryLine(doc)));
  });

  it('hosts follow the order given, whatever order they finished in; unknown ones last', () => {
    const doc = collect(
      [
        play(['web-02', 'extra', 'db-01', 'web-01']),
        task('web-02', 'x', 'ok'),
        task('extra', 'x', 'ok'),
        task('web-01', 'x', 'ok'),
        task('db-01', 'x', 'ok'),
      ],
      ['db-01', 'web-01', 'web-02'],
    );
    assert.deepEqual(
      doc.hosts.map((h) => h.name),
      ['db-01', 'web-01', 'web-02', 'extra'],
    );
  });

  it('a host first seen in the recap is listed, converged', () => {
    const doc = collect([play(['web-01']), recap(['web-01', 'web-02'])], ['web-01', 'web-02']);
    assert.deepEqual(
      doc.hosts.map((h) => [h.name, h.status]),
      [
        ['web-01', 'converged'],
        ['web-02', 'converged'],
      ],
    );
  });

  describe('groups of hosts with identical changes', () => {
    const events: EngineEvent[] = [
      play(['web-02', 'web-01', 'db-01']),
      diff('web-02', 'nginx config', NGINX, HUNKS),
      task('web-02', 'nginx config', 'changed', [write(NGINX)]),
      task('db-01', 'mysql config', 'changed', [write('/etc/mysql/my.cnf')]),
      diff('web-01', 'nginx config', NGINX, HUNKS),
      task('web-01', 'nginx config', 'changed', [write(NGINX)]),
    ];
    const doc = collect(events, ['db-01', 'web-01', 'web-02']);
    const text = planText(doc);

    it('identical changes form one group, a different change its own', () => {
      assert.deepEqual(doc.groups, [{ hosts: ['db-01'] }, { hosts: ['web-01', 'web-02'] }]);
      assert.deepEqual(
        doc.hosts.map((h) => [h.name, h.status, h.changes.length]),
        [
          ['db-01', 'changes', 1],
          ['web-01', 'changes', 1],
          ['web-02', 'changes', 1],
        ],
      );
    });

    it('the text shows each group header once and its changes once', () => {
      assert.equal(count(text, 'web-01, web-02: 1 change each'), 1, text);
      assert.equal(count(text, `update ${NGINX}`), 1, text);
      assert.equal(count(text, '+worker_processes 2;'), 1, text);
      assert.equal(count(text, '\ndb-01: 1 change\n'), 1, text);
      assert.equal(count(text, 'update /etc/mysql/my.cnf'), 1, text);
      assert.ok(text.indexOf('db-01: 1 change') < text.indexOf('web-01, web-02'), text);
    });

    it('the summary line counts changes and hosts', () => {
      assert.equal(
        summaryLine(doc),
        'Plan: 3 changes on 3 hosts, 0 converged, 0 failed, 0 unreachable. Exit 2: changes pending.',
      );
    });

    it('hosts whose diffs differ are not grouped', () => {
      const other = collect(
        [
          play(['web-01', 'web-02']),
          diff('web-01', 'nginx config', NGINX, HUNKS),
          task('web-01', 'nginx config', 'changed', [write(NGINX)]),
          diff('web-02', 'nginx config', NGINX, ['@@ -1 +1 @@', '-a', '+b']),
          task('web-02', 'nginx config', 'changed', [write(NGINX)]),
        ],
        ['web-01', 'web-02'],
      );
      assert.deepEqual(other.groups, [{ hosts: ['web-01'] }, { hosts: ['web-02'] }]);
      const t = planText(other);
      assert.ok(t.includes('\nweb-01: 1 change\n') && t.includes('\nweb-02: 1 change\n'), t);
      assert.ok(!t.includes('change each'), t);
    });
  });

  describe('diffs and validations attach to their change', () => {
    const other = '/etc/nginx/conf.d/site.conf';
    const events: EngineEvent[] = [
      play(['web-01', 'web-02']),
      diff('web-01', 'nginx config', NGINX, HUNKS),
      validation('web-01', 'nginx config', NGINX, {
        status: 'passed',
        command: 'nginx -t -c /tmp/c/nginx.conf',
      }),
      diff('web-01', 'nginx config', other, ['@@ -0,0 +1 @@', '+server {}'], true),
      // Another host's diff of the same path is not web-01's.
      diff('web-02', 'nginx config', NGINX, ['@@ -1 +1 @@', '-x', '+y']),
      task('web-01', 'nginx config', 'changed', [write(NGINX), write(other, absent(other))]),
      // The same task name again (e.g. a later play): the details were consumed.
      task('web-01', 'nginx config', 'changed', [write(NGINX)]),
    ];
    const doc = collect(events, ['web-01', 'web-02']);
    const web01 = doc.hosts[0]!;

    it('by host, task and path', () => {
      assert.equal(web01.changes.length, 3);
      const [first, second, third] = web01.changes;
      assert.deepEqual(first!.diff, { created: false, hunks: HUNKS, masked: false });
      assert.deepEqual(first!.validation, {
        status: 'passed',
        command: 'nginx -t -c /tmp/c/nginx.conf',
      });
      assert.deepEqual(second!.diff, {
        created: true,
        hunks: ['@@ -0,0 +1 @@', '+server {}'],
        masked: false,
      });
      assert.equal(second!.validation, undefined);
      assert.equal(third!.diff, undefined);
      assert.equal(third!.validation, undefined);
    });

    it('a host whose task did not change keeps no diff', () => {
      assert.deepEqual(doc.hosts[1]!.changes, []);
      assert.equal(doc.hosts[1]!.status, 'converged');
    });

    it('a diff of a task that ended ok is dropped, not given to a later change', () => {
      const d = collect(
        [
          play(['web-01']),
          diff('web-01', 'nginx config', NGINX, HUNKS),
          task('web-01', 'nginx config', 'ok'),
          task('web-01', 'nginx config', 'changed', [write(NGINX)]),
        ],
        ['web-01'],
      );
      assert.equal(d.hosts[0]!.changes[0]!.diff, undefined);
    });

    it('the text shows the diff under its change, and the validation that passed', () => {
      const text = planText(doc);
      assert.ok(text.includes(`      --- ${NGINX} (on the host)\n`), text);
      assert.ok(text.includes(`      +++ ${NGINX} (planned)\n`), text);
      assert.ok(text.includes('      +worker_processes 2;'), text);
      assert.ok(text.includes(`      --- ${other} (absent)\n`), text);
      assert.ok(
        text.includes('      validated on the host: `nginx -t -c /tmp/c/nginx.conf` passed'),
        text,
      );
    });

    it('a masked diff says so', () => {
      const d = collect(
        [
          play(['web-01']),
          {
            type: 'diff',
            host: 'web-01',
            task: 't',
            path: NGINX,
            created: false,
            hunks: HUNKS,
            masked: true,
          },
          task('web-01', 't', 'changed', [write(NGINX)]),
        ],
        ['web-01'],
      );
      assert.ok(planText(d).includes(`(planned) (secrets shown as ********)`), planText(d));
    });
  });

  describe('a failed validation', () => {
    const command = 'nginx -t -c /tmp/cand/nginx.conf';
    const output = 'nginx: [emerg] unknown directive "servr" in /tmp/cand/nginx.conf:3';
    const message = `${NGINX}: the candidate failed \`${command}\` (exit 1); nothing was changed:\n${output}`;
    const doc = collect(
      [
        play(['web-01', 'web-02']),
        diff('web-01', 'nginx config', NGINX, HUNKS),
        validation('web-01', 'nginx config', NGINX, {
          status: 'failed',
          command,
          exitCode: 1,
          output,
        }),
        task('web-01', 'nginx config', 'failed', [write(NGINX)], { error: message }),
        task('web-02', 'nginx config', 'changed', [write(NGINX)]),
      ],
      ['web-01', 'web-02'],
    );
    const text = planText(doc);

    it('fails the host and the plan, keeping the change with its validation', () => {
      assert.equal(doc.exitCode, 1);
      assert.equal(doc.hosts[0]!.status, 'failed');
      assert.deepEqual(doc.hosts[0]!.failures, [
        { play: PLAY, task: 'nginx config', handler: false, message },
      ]);
      assert.deepEqual(doc.hosts[0]!.changes[0]!.validation, {
        status: 'failed',
        command,
        exitCode: 1,
        output,
      });
      assert.deepEqual(doc.groups, [{ hosts: ['web-02'] }]);
    });

    it('the text shows FAILED, the failure line, VALIDATION FAILED and the output once', () => {
      assert.ok(text.includes('\nweb-01: FAILED\n'), text);
      assert.ok(
        text.includes(
          `  ! nginx config: ${NGINX}: the candidate failed \`${command}\` (exit 1); nothing was changed:\n`,
        ),
        text,
      );
      assert.ok(text.includes('  and the changes planned before and after it:'), text);
      assert.ok(text.includes(`      VALIDATION FAILED: \`${command}\` exit 1:\n`), text);
      assert.equal(count(text, output), 1, text);
      assert.ok(text.includes(`\n        ${output}`), text);
    });
  });

  it('a failure without a validation shows its whole message', () => {
    const doc = collect(
      [
        play(['web-01']),
        task('web-01', 'reload nginx', 'failed', [], {
          handler: true,
          error: 'command failed\nJob for nginx.service failed',
        }),
      ],
      ['web-01'],
    );
    const text = planText(doc);
    assert.ok(
      text.includes('  ! handler reload nginx: command failed\n    Job for nginx.service failed'),
      text,
    );
    assert.ok(!text.includes('and the changes planned'), text);
    assert.equal(doc.hosts[0]!.failures[0]!.handler, true);
  });

  it('an unreachable host shows UNREACHABLE and its error', () => {
    const doc = collect(
      [
        play(['web-01', 'db-01']),
        { type: 'unreachable', host: 'db-01', error: 'connect: timed out after 10 s' },
        task('web-01', 'x', 'ok'),
      ],
      ['web-01', 'db-01'],
    );
    assert.deepEqual(doc.hosts[1], {
      name: 'db-01',
      status: 'unreachable',
      changes: [],
      failures: [],
      error: 'connect: timed out after 10 s',
    });
    const text = planText(doc);
    assert.ok(text.includes('\ndb-01: UNREACHABLE: connect: timed out after 10 s\n'), text);
    assert.ok(text.includes('\nconverged: web-01\n'), text);
  });

  it('the summary counts hosts by status, changes and validations', () => {
    const cmd = 'nginx -t -c %s';
    const doc = collect(
      [
        play(['web-01', 'web-02', 'db-01', 'db-02']),
        validation('web-01', 'configs', '/etc/a', { status: 'passed', command: cmd }),
        validation('web-01', 'configs', '/etc/b', {
          status: 'unavailable',
          command: 'mysqld --validate-config',
          program: 'mysqld',
        }),
        task('web-01', 'configs', 'changed', [write('/etc/a'), write('/etc/b')]),
        task('web-02', 'configs', 'ok'),
        validation('db-01', 'configs', '/etc/c', {
          status: 'failed',
          command: cmd,
          exitCode: 1,
          output: 'bad',
        }),
        task('db-01', 'configs', 'failed', [write('/etc/c')], { error: 'refused\nbad' }),
        { type: 'unreachable', host: 'db-02', error: 'no route to host' },
        recap(['web-01', 'web-02', 'db-01', 'db-02']),
      ],
      ['web-01', 'web-02', 'db-01', 'db-02'],
    );
    assert.deepEqual(doc.summary, {
      hosts: 4,
      converged: 1,
      changed: 1,
      failed: 1,
      unreachable: 1,
      changes: 3,
      validations: { passed: 1, failed: 1, unavailable: 1 },
    });
    const line = summaryLine(doc);
    assert.ok(
      line.includes('; validated on the hosts: 1 passed, 1 failed, 1 not yet possible.'),
      line,
    );
    assert.ok(line.endsWith('Exit 1: error: the plan is incomplete or a check failed.'), line);
    assert.ok(
      planText(doc).includes(
        '      not validated: mysqld is not installed yet: `mysqld --validate-config` will run during apply',
      ),
    );
  });
});

describe('changeEntry: each Change kind → its documented plan kind', () => {
  const cases: {
    name: string;
    change: Change;
    handler?: boolean;
    expect: Record<string, unknown>;
  }[] = [
    {
      name: 'write, new file → file create',
      change: write('/etc/new.conf', absent('/etc/new.conf')),
      expect: {
        kind: 'file',
        action: 'create',
        path: '/etc/new.conf',
        reason: 'the file is absent',
        summary: 'create /etc/new.conf',
      },
    },
    {
      name: 'write, existing file → file update',
      change: write(NGINX),
      expect: {
        kind: 'file',
        action: 'update',
        path: NGINX,
        reason: 'its content differs',
        summary: `update ${NGINX}`,
      },
    },
    {
      name: 'write over a directory → file update, saying what is in its place',
      change: write('/etc/x', { path: '/etc/x', exists: true, type: 'directory' }),
      expect: { kind: 'file', action: 'update', reason: 'a directory is in its place' },
    },
    {
      name: 'attributes → attributes set',
      change: {
        kind: 'attributes',
        path: '/etc/x',
        mode: '0640',
        owner: 'www-data',
        before: { path: '/etc/x', exists: true, type: 'file', mode: '0644', owner: 'root' },
      },
      expect: {
        kind: 'attributes',
        action: 'set',
        path: '/etc/x',
        reason: 'mode is 0644, wanted 0640; owner is root, wanted www-data',
        summary: 'set mode 0640, owner www-data on /etc/x',
      },
    },
    {
      name: 'mkdir → directory create',
      change: { kind: 'mkdir', path: '/srv/app', mode: '0755', owner: 'root', group: 'root' },
      expect: {
        kind: 'directory',
        action: 'create',
        path: '/srv/app',
        reason: 'the directory is absent',
      },
    },
    {
      name: 'symlink, absent → link create',
      change: {
        kind: 'symlink',
        path: '/etc/nginx/sites-enabled/app',
        target: '../sites-available/app',
        before: absent('/etc/nginx/sites-enabled/app'),
      },
      expect: {
        kind: 'link',
        action: 'create',
        reason: 'the link is absent',
        summary: 'link /etc/nginx/sites-enabled/app -> ../sites-available/app',
      },
    },
    {
      name: 'symlink, pointing elsewhere → link update',
      change: {
        kind: 'symlink',
        path: '/l',
        target: '/b',
        before: { path: '/l', exists: true, type: 'link', linkTarget: '/a' },
      },
      expect: { kind: 'link', action: 'update', reason: 'it points to /a' },
    },
    {
      name: 'remove → remove',
      change: { kind: 'remove', path: '/etc/old', before: regular('/etc/old') },
      expect: { kind: 'remove', action: 'remove', path: '/etc/old', reason: 'it exists' },
    },
    {
      name: 'packages to install and remove → packages install+remove',
      change: { kind: 'packages', install: ['nginx', 'curl'], remove: ['apache2'] },
      expect: {
        kind: 'packages',
        action: 'install+remove',
        packages: { install: ['nginx', 'curl'], remove: ['apache2'] },
        reason: 'not installed: nginx, curl; installed: apache2',
      },
    },
    {
      name: 'packages to install only → packages install',
      change: { kind: 'packages', install: ['nginx'], remove: [] },
      expect: { kind: 'packages', action: 'install', reason: 'not installed: nginx' },
    },
    {
      name: 'service → service with its action and unit',
      change: { kind: 'service', unit: 'nginx', action: 'start' },
      expect: {
        kind: 'service',
        action: 'start',
        unit: 'nginx',
        reason: "the unit's state differs (start needed)",
        summary: 'start nginx',
      },
    },
    {
      name: 'service from a handler → says a changed task notified it',
      change: { kind: 'service', unit: 'nginx', action: 'reload' },
      handler: true,
      expect: {
        kind: 'service',
        action: 'reload',
        handler: true,
        reason: 'a changed task notified this handler',
      },
    },
    {
      name: 'daemon-reload → service daemon-reload',
      change: { kind: 'service', unit: '', action: 'daemon-reload' },
      expect: {
        kind: 'service',
        action: 'daemon-reload',
        reason: 'systemd has not loaded the changed unit files',
        summary: 'systemctl daemon-reload',
      },
    },
    {
      name: 'command → command run',
      change: { kind: 'command', argv: ['certbot', 'renew'], reason: 'the certificate expires' },
      expect: { kind: 'command', action: 'run', reason: 'the certificate expires' },
    },
    {
      name: 'sql → sql execute, with the redacted statements',
      change: {
        kind: 'sql',
        statements: ["CREATE USER 'app'@'%' IDENTIFIED BY 'plain-pw-1234'", 'FLUSH PRIVILEGES'],
        redacted: ["CREATE USER 'app'@'%' IDENTIFIED BY '********'", 'FLUSH PRIVILEGES'],
        reason: 'the user is missing',
      },
      expect: {
        kind: 'sql',
        action: 'execute',
        statements: ["CREATE USER 'app'@'%' IDENTIFIED BY '********'", 'FLUSH PRIVILEGES'],
        reason: 'the user is missing',
      },
    },
    {
      name: 'transfer → transfer import',
      change: {
        kind: 'transfer',
        from: 'db-01',
        exportScript: 'mysqldump --all-databases',
        importScript: 'mysql',
        reason: 'seed the replica',
        data: Buffer.from('dump'),
      },
      expect: {
        kind: 'transfer',
        action: 'import',
        reason: 'seed the replica',
        summary: 'seed the replica (from db-01)',
      },
    },
    {
      name: 'deferred → deferred, decided during apply',
      change: { kind: 'deferred', reason: 'mysql is not installed yet' },
      expect: {
        kind: 'deferred',
        action: 'decided during apply',
        reason: 'mysql is not installed yet',
      },
    },
    {
      name: 'await-replica → wait',
      change: { kind: 'await-replica', statusQuery: 'SHOW REPLICA STATUS', timeoutSeconds: 60 },
      expect: {
        kind: 'wait',
        action: 'wait',
        reason: 'replication must run before the play goes on',
        summary: 'wait until both replication threads run (up to 60 s)',
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const entry = changeEntry(c.change, PLAY, 'a task', c.handler ?? false);
      assert.equal(entry.play, PLAY);
      assert.equal(entry.task, 'a task');
      assert.equal(entry.handler, c.handler ?? false);
      for (const [key, value] of Object.entries(c.expect))
        assert.deepEqual((entry as Record<string, unknown>)[key], value, key);
      // Every entry fits the document schema.
      valid(
        finishDocument(META, [{ name: 'h', status: 'converged', changes: [entry], failures: [] }]),
      );
    });
  }

  it('sql: the raw statements (with the password) appear nowhere in the entry or its text', () => {
    const change: Change = {
      kind: 'sql',
      statements: ["ALTER USER 'app'@'%' IDENTIFIED BY 'plain-pw-1234'", 'FLUSH PRIVILEGES'],
      redacted: ["ALTER USER 'app'@'%' IDENTIFIED BY '********'", 'FLUSH PRIVILEGES'],
      reason: 'the password changed',
    };
    const entry = changeEntry(change, PLAY, 'db users', false);
    const doc = valid(
      finishDocument(META, [
        { name: 'db-01', status: 'converged', changes: [entry], failures: [] },
      ]),
    );
    const text = planText(doc);
    assert.ok(!JSON.stringify(doc).includes('plain-pw-1234'));
    assert.ok(!text.includes('plain-pw-1234'), text);
    assert.ok(text.includes(`      sql> ALTER USER 'app'@'%' IDENTIFIED BY '********'`), text);
  });

  it('transfer: the scripts and data are not in the entry', () => {
    const entry = changeEntry(
      {
        kind: 'transfer',
        from: 'db-01',
        exportScript: 'mysqldump --secret-flag',
        importScript: 'mysql --import-flag',
        reason: 'seed',
        data: Buffer.from('DUMPDATA'),
      },
      PLAY,
      't',
      false,
    );
    const json = JSON.stringify(entry);
    for (const s of ['--secret-flag', '--import-flag', 'DUMPDATA', 'data'])
      assert.ok(!json.includes(s), `${s} in ${json}`);
  });
});

describe('offlinePlan: a fresh render against an earlier one', () => {
  const offlineMeta: PlanMeta = { ...META, mode: 'offline', against: 'render-old' };
  const file = (path: string, content: string, task = 'configs') => ({
    path,
    content: Buffer.from(content),
    play: PLAY,
    task,
  });
  const fresh: HostFiles[] = [
    {
      host: 'web-01',
      files: [
        file('/etc/b.conf', 'keep\nnew value\n'),
        file('/etc/a.conf', 'brand new\n', 'a task'),
        file('/etc/c.conf', 'same\n'),
      ],
    },
    { host: 'web-02', files: [file('/etc/c.conf', 'same\n')] },
  ];
  const earlier: EarlierRender = new Map([
    [
      'web-01',
      new Map([
        ['/etc/b.conf', Buffer.from('keep\nold value\n')],
        ['/etc/c.conf', Buffer.from('same\n')],
        ['/etc/old.conf', Buffer.from('gone\n')],
      ]),
    ],
    ['web-02', new Map([['/etc/c.conf', Buffer.from('same\n')]])],
    ['web-09', new Map([['/etc/c.conf', Buffer.from('same\n')]])],
  ]);
  const doc = valid(offlinePlan(offlineMeta, fresh, earlier, ['web-01', 'web-02'], ['web-09']));
  const byName = (n: string) => doc.hosts.find((h) => h.name === n)!;

  it('is an offline document against the earlier render', () => {
    assert.equal(doc.mode, 'offline');
    assert.equal(doc.against, 'render-old');
    assert.deepEqual(
      doc.hosts.map((h) => h.name),
      ['web-01', 'web-02', 'web-09'],
    );
    assert.equal(doc.exitCode, 2);
  });

  it('create, update with hunks, nothing for equal files, unmanaged for files no longer rendered', () => {
    const changes = byName('web-01').changes;
    assert.deepEqual(
      changes.map((c) => [c.action, c.path]),
      [
        ['create', '/etc/a.conf'],
        ['update', '/etc/b.conf'],
        ['unmanaged', '/etc/old.conf'],
      ],
    );
    const [create, update, unmanaged] = changes;
    assert.equal(create!.task, 'a task');
    assert.deepEqual(create!.diff, {
      created: true,
      hunks: ['@@ -0,0 +1 @@', '+brand new'],
      masked: false,
    });
    assert.equal(create!.reason, 'the earlier render did not have it');
    assert.deepEqual(update!.diff, {
      created: false,
      hunks: ['@@ -1,2 +1,2 @@', ' keep', '-old value', '+new value'],
      masked: false,
    });
    assert.equal(update!.reason, 'the rendered content differs');
    assert.equal(unmanaged!.diff, undefined);
    assert.match(unmanaged!.reason, /no task places this file any more/);
  });

  it('a host whose files are equal is converged', () => {
    assert.equal(byName('web-02').status, 'converged');
    assert.deepEqual(byName('web-02').changes, []);
  });

  it('a host no longer in the inventory has its files reported as such', () => {
    const changes = byName('web-09').changes;
    assert.deepEqual(
      changes.map((c) => [c.action, c.path]),
      [['unmanaged', '/etc/c.conf']],
    );
    assert.match(changes[0]!.reason, /no longer in the inventory/);
    assert.match(changes[0]!.reason, /web-09/);
  });

  it('the text names both renders', () => {
    const text = planText(doc);
    assert.ok(
      text.startsWith(
        'PLAN: playbooks/site.yml with inventories/lab.yml, a fresh render compared with the earlier render in render-old (no SSH)',
      ),
      text,
    );
    assert.ok(text.includes('      --- /etc/b.conf (earlier render)\n'), text);
    assert.ok(text.includes('      +++ /etc/b.conf (fresh render)\n'), text);
    assert.ok(text.includes('      -old value\n      +new value'), text);
    assert.ok(text.includes('no longer rendered: /etc/old.conf'), text);
  });

  it('nothing differs → converged, exit 0', () => {
    const same = valid(
      offlinePlan(
        offlineMeta,
        [{ host: 'web-02', files: [file('/etc/c.conf', 'same\n')] }],
        new Map([['web-02', new Map([['/etc/c.conf', Buffer.from('same\n')]])]]),
        ['web-02'],
      ),
    );
    assert.equal(same.status, 'converged');
    assert.equal(same.exitCode, 0);
    assert.equal(same.summary.changes, 0);
  });

  it('a host in scope absent from both renders is converged, not an error', () => {
    const d = valid(offlinePlan(offlineMeta, [], new Map(), ['web-03']));
    assert.deepEqual(
      d.hosts.map((h) => [h.name, h.status]),
      [['web-03', 'converged']],
    );
    assert.equal(d.exitCode, 0);
  });
});
