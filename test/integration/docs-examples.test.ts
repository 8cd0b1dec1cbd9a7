import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliProcess, ROOT } from '../support/cli';

/**
 * The examples of docs/coming-from-ansible.md are run: each ```LANG file=NAME
 * block is written into a fresh folder, and each ```console block's command
 * runs there, its output compared line for line with the page's. A file block
 * after a console block starts a new folder.
 */
const PAGE = path.join(ROOT, 'docs', 'coming-from-ansible.md');

interface Example {
  files: Record<string, string>;
  command: string[];
  output: string;
  line: number;
}

export function examples(markdown: string): Example[] {
  const out: Example[] = [];
  const fence = /^```(\S*)(?: file=(\S+))?\n([\s\S]*?)^```$/gm;
  let files: Record<string, string> = {};
  let fresh = true;
  for (const m of markdown.matchAll(fence)) {
    const [, lang, file, body] = m;
    const line = markdown.slice(0, m.index).split('\n').length;
    if (file) {
      if (fresh) files = {};
      fresh = false;
      files[file] = body!;
    } else if (lang === 'console') {
      const [first, ...rest] = body!.trimEnd().split('\n');
      assert.match(
        first!,
        /^\$ foobar-infra /,
        `line ${line}: a console block starts with $ foobar-infra`,
      );
      out.push({
        files: { ...files },
        command: first!.replace(/^\$ foobar-infra /, '').split(/\s+/),
        output: rest.join('\n'),
        line,
      });
      fresh = true;
    }
  }
  return out;
}

describe('docs/coming-from-ansible.md: its examples run as written', function () {
  this.timeout(60_000);
  const all = examples(fs.readFileSync(PAGE, 'utf8'));

  it('has examples', () => assert.ok(all.length >= 4, `only ${all.length}`));

  for (const example of all) {
    it(`line ${example.line}: foobar-infra ${example.command.join(' ')}`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-doc-'));
      for (const [name, text] of Object.entries(example.files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
      }
      const r = cliProcess(example.command, { cwd: dir });
      assert.equal((r.stdout + r.stderr).trimEnd(), example.output);
    });
  }
});
