import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { troubleshootingDoc } from '../../tools/docs/generate';
import { captureCases } from '../../tools/docs/troubleshooting';
import { TROUBLE_CASES, type TroubleCase } from '../../tools/docs/troubleshooting-cases';
import { ROOT } from '../support/cli';

/** docs/troubleshooting.md: the CLI's real output on the cases' inputs, offline. */
describe('the troubleshooting page (docs/troubleshooting.md)', () => {
  let page: string;
  before(async () => {
    page = (await troubleshootingDoc(ROOT)).content;
  });

  it('docs/troubleshooting.md is the generated page (else: npm run docs)', () => {
    const file = path.join(ROOT, 'docs', 'troubleshooting.md');
    const written = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    assert.ok(
      written === page,
      "docs/troubleshooting.md is out of date with the tool's messages: run `npm run docs` and commit the result",
    );
  });

  it('is the same whoever generates it, and names no machine-specific path', async () => {
    const saved = process.env.FOOBAR_TLS_KEY;
    process.env.FOOBAR_TLS_KEY = 'set-in-the-callers-shell';
    try {
      assert.equal((await troubleshootingDoc(ROOT)).content, page);
    } finally {
      if (saved === undefined) delete process.env.FOOBAR_TLS_KEY;
      else process.env.FOOBAR_TLS_KEY = saved;
    }
    assert.ok(!page.includes(ROOT), 'the project folder appears in the page');
    assert.doesNotMatch(page, /foobar-docs-/, 'a temp folder appears in the page');
  });

  it('shows each secret as ******** and never its value', () => {
    assert.doesNotMatch(page, /docs-(root|replication|app)-secret|docs-certificate|docs-key/);
  });

  it('covers the common problems, each with its exit code', () => {
    for (const [id, exit] of [
      ['yaml-syntax-error', '1'],
      ['unknown-variable', '1'],
      ['plain-text-secret', '1'],
      ['missing-secret', '1'],
      ['unknown-module', '1'],
      ['unknown-argument', '1'],
      ['template-missing-variable', '1'],
      ['connection-refused', '4'],
      ['locked-host', '5'],
      ['firewall-lockout', '3'],
      ['diff-exit-codes', '2'],
      ['interrupted-run', '130'],
    ]) {
      const start = page.indexOf(`<a id="${id}"></a>`);
      assert.ok(start >= 0, `no case ${id}`);
      const end = page.indexOf('<a id=', start + 1);
      assert.match(
        page.slice(start, end < 0 ? undefined : end),
        new RegExp(`^\\[exit ${exit}\\]$`, 'm'),
      );
    }
  });

  it('refuses to write a page where a case no longer shows its problem', async () => {
    const stale: TroubleCase = {
      ...TROUBLE_CASES.find((c) => c.id === 'unknown-module')!,
      expect: [{ exitCode: 1, output: /a message the tool does not print/ }],
    };
    await assert.rejects(
      captureCases(ROOT, [stale]),
      /unknown-module: .* no longer shows the case/,
    );
  });
});
