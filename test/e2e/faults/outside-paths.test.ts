import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, fixture } from '../../support/cli';

/**
 * Fault 14: a template that tries to read outside templates/ (a partial or a
 * `src` with `..`, an absolute path, a symbolic link that points out) and a
 * `copy` source outside the project: refused by `validate` and by `apply`
 * before any connection (loading the SSH code is fatal under the forbid-ssh
 * hook), and the outside file's content appears in no output.
 */
describe('fault 14: templates and copy sources that reach outside the project', function () {
  this.timeout(60_000);
  const SECRET_OUTSIDE = `outside-${process.pid}-content`;
  let work: string;
  let outside: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-outside-'));
    outside = path.join(work, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), `${SECRET_OUTSIDE}\n`);
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  /** A project whose one task is `task` (YAML lines), with templates/ and files/ set up by `setup`. */
  const projectWith = (name: string, task: string[], setup: (dir: string) => void = () => {}) => {
    const dir = path.join(work, name);
    for (const d of ['playbooks', 'templates', 'files'])
      fs.mkdirSync(path.join(dir, d), { recursive: true });
    setup(dir);
    const playbook = path.join(dir, 'playbooks', 'site.yml');
    fs.writeFileSync(
      playbook,
      [
        '- name: Reach out',
        '  hosts: lb',
        '  tasks:',
        '    - name: The task',
        ...task.map((l) => `      ${l}`),
        '',
      ].join('\n'),
    );
    return playbook;
  };
  const inventory = fixture('inventories', 'good', 'minimal.yml');
  const refuse = (playbook: string, message: RegExp) => {
    for (const command of ['validate', 'apply']) {
      const r = spawnSync(
        process.execPath,
        [
          '--require',
          path.join(ROOT, 'dist', 'test', 'support', 'forbid-ssh.js'),
          BIN,
          command,
          '-i',
          inventory,
          playbook,
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      const out = r.stdout + r.stderr;
      assert.equal(r.status, 1, `${command}: ${out}`);
      assert.match(out, message, command);
      assert.ok(!out.includes(SECRET_OUTSIDE), `${command} printed the outside file`);
    }
  };

  it('a template src with ..', () => {
    refuse(
      projectWith('src-dotdot', ['template: { src: ../outside/secret.txt, dest: /etc/x }']),
      /must stay inside/,
    );
  });

  it('a template src that is an absolute path', () => {
    refuse(
      projectWith('src-absolute', [
        `template: { src: ${path.join(outside, 'secret.txt')}, dest: /etc/x }`,
      ]),
      /must stay inside/,
    );
  });

  it('a partial with ..', () => {
    refuse(
      projectWith('partial', ['template: { src: main.hbs, dest: /etc/x }'], (dir) =>
        fs.writeFileSync(
          path.join(dir, 'templates', 'main.hbs'),
          '{{> ../../outside/secret.txt}}\n',
        ),
      ),
      /must stay inside|partial/,
    );
  });

  it('a template that is a symbolic link leading out of templates/', () => {
    refuse(
      projectWith('symlink', ['template: { src: link.hbs, dest: /etc/x }'], (dir) =>
        fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dir, 'templates', 'link.hbs')),
      ),
      /must stay inside/,
    );
  });

  it('a copy source with .. or an absolute path', () => {
    refuse(
      projectWith('copy-dotdot', ['copy: { src: ../../outside, dest: /opt/x }']),
      /copy source .* must stay inside/,
    );
    refuse(
      projectWith('copy-absolute', [`copy: { src: ${outside}, dest: /opt/x }`]),
      /copy source .* must stay inside/,
    );
  });

  it('a copied folder holding a symbolic link that leads out', () => {
    refuse(
      projectWith('copy-link', ['copy: { src: tree, dest: /opt/x }'], (dir) => {
        fs.mkdirSync(path.join(dir, 'files', 'tree'));
        fs.writeFileSync(path.join(dir, 'files', 'tree', 'ok.txt'), 'fine\n');
        fs.symlinkSync(
          path.join(outside, 'secret.txt'),
          path.join(dir, 'files', 'tree', 'leak.txt'),
        );
      }),
      /tree\/leak\.txt is a symbolic link/,
    );
  });
});
