import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, ROOT, cli, fixture } from '../../support/cli';
import { pick, prng, type Random } from '../../support/fuzz';

/**
 * Fault 13: broken inputs thrown at `validate` and `apply`. At least 1,000
 * inventories and playbooks mutated from valid ones (a seeded generator, so a
 * failure can be replayed with FUZZ_SEED): every one is accepted or gets a
 * clear error naming its file; none crashes or prints a stack trace. No SSH:
 * `apply` is only given the inputs `validate` refused, and must refuse them
 * the same way before connecting anywhere.
 */
describe('fault 13: 1,000 mutated inventories and playbooks', function () {
  this.timeout(5 * 60_000);
  const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
  const COUNT = 1000;

  const inventories = [
    path.join(ROOT, 'inventories', 'production.example.yml'),
    fixture('inventories', 'good', 'minimal.yml'),
    fixture('inventories', 'good', 'three-web.yml'),
  ];
  const playbooks = [
    path.join(ROOT, 'playbooks', 'site.yml'),
    fixture('playbooks', 'engine.yml'),
    fixture('playbooks', 'engine-flow.yml'),
  ];
  let work: string;

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-fuzz-'));
    // The playbooks' templates and files, so that mutated playbooks resolve them.
    fs.cpSync(path.join(ROOT, 'templates'), path.join(work, 'templates'), { recursive: true });
    fs.cpSync(fixture('templates'), path.join(work, 'templates'), { recursive: true });
    fs.cpSync(fixture('files'), path.join(work, 'files'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'playbooks', 'files'), path.join(work, 'files'), { recursive: true });
    fs.mkdirSync(path.join(work, 'playbooks'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it(`every mutant is accepted or refused clearly, never a crash (seed ${SEED})`, async () => {
    const random = prng(SEED);
    const problems: string[] = [];
    const outcomes = { accepted: 0, refused: 0 };
    let refusedForApply = 0;
    for (let i = 0; i < COUNT; i++) {
      const mutateInventory = i % 2 === 0;
      const inventorySource = pick(random, inventories);
      const playbookSource = pick(random, playbooks);
      const inventory = path.join(work, `inventory-${i}.yml`);
      const playbook = path.join(work, 'playbooks', `playbook-${i}.yml`);
      const original = fs.readFileSync(mutateInventory ? inventorySource : playbookSource, 'utf8');
      const mutant = mutate(original, random);
      fs.writeFileSync(inventory, mutateInventory ? mutant : fs.readFileSync(inventorySource));
      fs.writeFileSync(playbook, mutateInventory ? fs.readFileSync(playbookSource) : mutant);
      const target = mutateInventory ? inventory : playbook;

      const r = await cli('validate', '-i', inventory, playbook);
      const problem = judge(r, [inventory, playbook]);
      if (problem) problems.push(`#${i} (${path.basename(target)}): ${problem}`);
      if (r.code === 0) outcomes.accepted++;
      else {
        outcomes.refused++;
        // apply must refuse the same input before any connection: loading
        // the SSH code at all is fatal under the forbid-ssh hook (exit 99).
        if (refusedForApply++ % 10 === 0) {
          const a = spawnSync(
            process.execPath,
            ['--require', FORBID_SSH, BIN, 'apply', '-i', inventory, playbook],
            { cwd: ROOT, encoding: 'utf8' },
          );
          const p = judge({ code: a.status ?? -1, stdout: a.stdout, stderr: a.stderr }, [
            inventory,
            playbook,
          ]);
          if (p) problems.push(`#${i} apply: ${p}`);
        }
      }
      if (problems.length === 0) {
        fs.rmSync(inventory);
        fs.rmSync(playbook);
      }
    }
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems; kept in ${work}`);
    // The generator must really break things, and leave some inputs valid.
    assert.ok(outcomes.refused > COUNT / 3, JSON.stringify(outcomes));
    assert.ok(outcomes.accepted > 0, JSON.stringify(outcomes));
  });
});

/**
 * What is wrong with a command's reaction to mutated inputs, if anything. A
 * refusal must name one of the inputs (a mutated inventory can break the
 * playbook's use of it), or a template and host.
 */
function judge(
  r: { code: number; stdout: string; stderr: string },
  files: string[],
): string | undefined {
  const all = r.stdout + r.stderr;
  if (r.code !== 0 && r.code !== 1) return `exit ${r.code}: ${all.slice(0, 400)}`;
  if (/internal error|\n\s+at .+\(.+:\d+:\d+\)/.test(all)) return `crash: ${all.slice(0, 400)}`;
  if (r.code === 1) {
    const errors = r.stderr.split('\n').filter((l) => l && !/: warning: /.test(l));
    if (errors.length === 0) return 'refused without an error message';
    const named = errors.some(
      (l) => files.some((f) => l.includes(path.basename(f))) || /\(host [^)]+\)/.test(l),
    );
    if (!named) return `no error names an input: ${errors.join('\n').slice(0, 300)}`;
  }
  return undefined;
}

const FORBID_SSH = path.join(ROOT, 'dist', 'test', 'support', 'forbid-ssh.js');

const JUNK = [
  '',
  '-',
  ':',
  '{',
  '[',
  '}',
  ']',
  '"',
  "'",
  '\t',
  '&a',
  '*a',
  '!!binary',
  '%',
  '@',
  '`',
  '|',
  '>',
  '#',
  '0x1F',
  '-1',
  '99999999999999999999',
  '1e309',
  'null',
  '~',
  'true',
  'yes',
  'NaN',
  '{{',
  '}}',
  '{{#if}}',
  '../../etc/passwd',
  '/etc/shadow',
  '\u0000',
  '\u202e',
  'é',
  '💥',
  ' '.repeat(3),
  'x'.repeat(5000),
  '<<: *a',
  '? complex',
];

/** One to three random edits of YAML text, at the level of lines and tokens. */
function mutate(text: string, random: Random): string {
  let lines = text.split('\n');
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(random() * lines.length);
    const line = lines[i] ?? '';
    switch (Math.floor(random() * 12)) {
      case 0: // delete a line
        lines.splice(i, 1);
        break;
      case 1: // duplicate a line (duplicate keys)
        lines.splice(i, 0, line);
        break;
      case 2: // swap two lines
        {
          const j = Math.floor(random() * lines.length);
          [lines[i], lines[j]] = [lines[j] ?? '', line];
        }
        break;
      case 3: // indent or dedent
        lines[i] = random() < 0.5 ? `  ${line}` : line.replace(/^ {1,2}/, '');
        break;
      case 4: // a junk token somewhere in the line
        {
          const at = Math.floor(random() * (line.length + 1));
          lines[i] = line.slice(0, at) + pick(random, JUNK) + line.slice(at);
        }
        break;
      case 5: // replace a value with junk
        lines[i] = line.replace(/:\s+(.+)$/, `: ${pick(random, JUNK)}`);
        break;
      case 6: // rename a key
        lines[i] = line.replace(
          /^(\s*-?\s*)([A-Za-z_][\w-]*)(:)/,
          `$1${pick(random, ['adress', 'hosts', 'vars', 'children', 'tasks', 'x', 'name', 'mysql_role', 'server_id', 'when', 'notify'])}$3`,
        );
        break;
      case 7: // truncate the file here
        lines = lines.slice(0, i);
        lines.push(line.slice(0, Math.floor(random() * line.length)));
        break;
      case 8: // a value becomes a list or a map
        lines[i] = line.replace(/:\s+(.+)$/, random() < 0.5 ? ': [$1, $1]' : ': { a: $1 }');
        break;
      case 9: // a tab for indentation
        lines[i] = line.replace(/^ +/, '\t');
        break;
      case 10: // a number out of range or of the wrong kind
        lines[i] = line.replace(
          /\b\d+\b/,
          pick(random, ['-1', '0', '70000', '1.5', '"12"', '1e3']),
        );
        break;
      default: {
        // a random byte
        const at = Math.floor(random() * (line.length + 1));
        lines[i] =
          line.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + line.slice(at);
      }
    }
  }
  return lines.join('\n');
}
