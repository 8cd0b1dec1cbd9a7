import { strict as assert } from 'node:assert';
import { MODULE_CATALOG } from '../../src/modules/registry';
import { parsePlaybook } from '../../src/playbook/load';

const parse = (text: string) => parsePlaybook('site.yml', text, MODULE_CATALOG);
const messages = (text: string) =>
  parse(text).diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);

describe('playbook loading', () => {
  it('reads plays, tasks, handlers, notify, when and tags', () => {
    const r = parse(`
- name: Web
  hosts: web
  serial: 1
  vars: { motd: hi }
  tasks:
    - name: conf
      template: { src: a.hbs, dest: /etc/a, mode: "0644", validate: "check %s" }
      notify: [reload]
      when: "mysql_role == 'primary'"
      tags: config
  handlers:
    - name: reload
      service: { name: nginx, state: reloaded }
`);
    assert.deepEqual(r.diagnostics, []);
    const play = r.value!.plays[0]!;
    assert.equal(play.serial, 1);
    assert.deepEqual(play.vars, { motd: 'hi' });
    assert.equal(play.tasks[0]!.module, 'template');
    assert.deepEqual(play.tasks[0]!.notify, ['reload']);
    assert.deepEqual(play.tasks[0]!.tags, ['config']);
    assert.equal(play.tasks[0]!.line, 7);
    assert.equal(play.handlers[0]!.name, 'reload');
  });

  const bad: [string, string, RegExp][] = [
    [
      'an unknown module',
      '- hosts: all\n  tasks:\n    - templte: { src: a, dest: /a }\n',
      /^3:7: unknown field or module \(did you mean "template"\?\)/,
    ],
    [
      'a notify without handler',
      '- hosts: all\n  tasks:\n    - service: { name: x, state: started }\n      notify: relaod\n  handlers:\n    - name: reload\n      service: { name: x, state: reloaded }\n',
      /^4:15: no handler named "relaod" in this play \(did you mean "reload"\?\)/,
    ],
    [
      'a broken condition',
      '- hosts: all\n  tasks:\n    - service: { name: x, state: started }\n      when: "a =="\n',
      /^4:13: invalid condition at column 5/,
    ],
    [
      'an unquoted mode',
      '- hosts: all\n  tasks:\n    - file: { path: /a, state: directory, mode: 0755 }\n',
      /^3:49: quote the mode/,
    ],
    [
      'two modules in a task',
      '- hosts: all\n  tasks:\n    - service: { name: x }\n      package: { name: y }\n',
      /^4:7: a task has exactly one module/,
    ],
    [
      'a task without module',
      '- hosts: all\n  tasks:\n    - name: nothing\n',
      /^3:7: the task names no module/,
    ],
    ['a play without hosts', '- name: x\n  tasks: []\n', /^1:3: required \(expected string\)/],
    [
      'a relative dest',
      '- hosts: all\n  tasks:\n    - template: { src: a, dest: etc/a }\n',
      /^3:33: must be an absolute path/,
    ],
    [
      'an unknown play key',
      '- hosts: all\n  task: []\n',
      /^2:3: unknown field \(did you mean "tasks"\?\)/,
    ],
    ['not a list', 'hosts: all\n', /^1:1: a playbook is a list of plays/],
    [
      'an unknown rollout key',
      '- hosts: all\n  rollout:\n    health_url: http://127.0.0.1/h\n    timout: 5\n',
      /^4:5: unknown field \(did you mean "timeout"\?\)/,
    ],
    [
      'a rollout balancer without its socket',
      '- hosts: all\n  rollout:\n    health_url: http://127.0.0.1/h\n    balancer: { hosts: lb, backend: web }\n',
      /^4:15: required/,
    ],
    [
      'a bad state',
      '- hosts: all\n  tasks:\n    - service: { name: x, state: runing }\n',
      /^3:34: Invalid option/,
    ],
  ];
  for (const [what, text, want] of bad) {
    it(`${what} is reported with its position`, () => {
      const got = messages(text);
      assert.ok(
        got.some((m) => want.test(m)),
        got.join('\n'),
      );
      assert.equal(parse(text).value, undefined);
    });
  }
});
