import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkLocally } from '../../src/cli/commands/validate-local';
import type { HostFiles } from '../../src/engine/desired-files';

/** validate's checks on the controller (validate_locally): run once per content, or a warning. */
describe('validate: checks run on the controller', () => {
  const file = (validate: string, content = 'x\n', task = 'The alert rules') => ({
    path: '/etc/prometheus/foobar-alerts.yml',
    content: Buffer.from(content),
    validate,
    play: 'Monitoring',
    task,
    line: 12,
  });

  it('a check that passes: nothing to say; one that fails: an error naming the task, the host, the command and its output', () => {
    const hosts: HostFiles[] = [
      { host: 'lb-01', files: [file('grep -q x %s')] },
      { host: 'lb-02', files: [file('grep -q y %s', 'no\n')] },
    ];
    const out = checkLocally(hosts, 'playbooks/site.yml');
    assert.equal(out.length, 1, JSON.stringify(out));
    assert.equal(out[0]!.severity, 'error');
    assert.equal(out[0]!.file, 'playbooks/site.yml');
    assert.equal(out[0]!.line, 12);
    assert.match(
      out[0]!.message,
      /^task "The alert rules": `grep -q y \/etc\/prometheus\/foobar-alerts\.yml` refuses the file rendered for lb-02/,
    );
  });

  it('the same content is checked once: a counter the check appends to grows once for two hosts', () => {
    const counter = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-vl-')), 'n');
    const check = `echo . >> ${counter} && true %s`;
    checkLocally(
      [
        { host: 'lb-01', files: [file(check)] },
        { host: 'lb-02', files: [file(check)] },
      ],
      'site.yml',
    );
    assert.equal(fs.readFileSync(counter, 'utf8'), '.\n');
  });

  it('a program not installed here: one warning, and the file is left to apply', () => {
    const out = checkLocally(
      [
        { host: 'lb-01', files: [file('no-such-checker-here check %s')] },
        { host: 'lb-02', files: [file('no-such-checker-here check %s', 'other\n')] },
      ],
      'site.yml',
    );
    assert.deepEqual(
      out.map((d) => `${d.severity}: ${d.message}`),
      [
        'warning: task "The alert rules": no-such-checker-here is not installed here, so /etc/prometheus/foobar-alerts.yml was not checked (apply checks it on the host)',
      ],
    );
  });
});
