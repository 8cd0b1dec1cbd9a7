import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixture, ROOT } from '../support/cli';
import { crashOf, runBounded } from '../support/bounded';
import { int, pick, prng, type Random } from '../support/fuzz';

/**
 * The mutation suite's classes of hostile input (fault 13 mutates tokens and
 * lines): comment headers; anchors and aliases; encodings (UTF-16, Latin-1,
 * binary); size and shape (huge files, deep nesting, long lines). Each mutant
 * runs the real executable in a child process under a time limit: a hang, an
 * exit other than 0 or 1, "internal error" or a stack trace fails, and so does
 * a refusal that names no input. Seeded: replay with FUZZ_SEED.
 */
type Mutant = { name: string; bytes: Buffer };
type MutationClass = (text: string, random: Random) => Mutant;

const utf8 = (name: string, text: string): Mutant => ({ name, bytes: Buffer.from(text, 'utf8') });

const HEADERS: ((random: Random) => string)[] = [
  (r) => '# comment\n'.repeat(1 + int(r, 20_000)),
  (r) => `${'#'.repeat(1 + int(r, 120))}\n`.repeat(1 + int(r, 500)),
  (r) => `${'#'.repeat(40)}\n${'# boxed title'.padEnd(39)}#\n`.repeat(1 + int(r, 300)),
  (r) => ' \t#  # # #\n\n'.repeat(1 + int(r, 5_000)),
  (r) => `${'# '.repeat(1 + int(r, 20_000))}\n`,
  (r) => '#\r\n'.repeat(1 + int(r, 5_000)),
];

const CLASSES: Record<string, MutationClass> = {
  'comment header': (text, r) => {
    const header = pick(r, HEADERS)(r);
    return utf8('header', r() < 0.2 ? header : header + text);
  },
  'anchors and aliases': (text, r) => {
    const lines = text.split('\n');
    const i = int(r, lines.length);
    const kinds = [
      () => lines[i]!.replace(/:\s+(\S.*)$/, ': &anchor $1'),
      () => lines[i]!.replace(/:\s+(\S.*)$/, ': *anchr'),
      () => lines[i]!.replace(/:\s+(\S.*)$/, ': &x [*x]'),
      () => lines[i]!.replace(/:\s+(\S.*)$/, ': *'),
      () => lines[i]!.replace(/:\s+(\S.*)$/, ': & $1'),
      () => `${lines[i]!}\n<<: *nothing`,
      () => lines[i]!.replace(/^(\s*)(\S)/, '$1&dup $2'),
    ];
    lines[i] = pick(r, kinds)();
    if (r() < 0.3) {
      const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
      for (let k = 1; k < 8; k++)
        bomb.push(`${'abcdefgh'[k]}: &${'abcdefgh'[k]} [${`*${'abcdefgh'[k - 1]}, `.repeat(9)}]`);
      return utf8('bomb', `${bomb.join('\n')}\n${text}`);
    }
    return utf8('alias', lines.join('\n'));
  },
  encoding: (text, r) => {
    const accented = text.replace(/deploy|web/, 'dé€ploy');
    const kinds: (() => Mutant)[] = [
      () => ({
        name: 'utf16le-bom',
        bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      }),
      () => ({ name: 'utf16le', bytes: Buffer.from(text, 'utf16le') }),
      () => ({
        name: 'utf16be-bom',
        bytes: Buffer.from(Buffer.from(`\ufeff${text}`, 'utf16le').swap16()),
      }),
      () => ({ name: 'latin1', bytes: Buffer.from(accented.replace('€', ''), 'latin1') }),
      () => ({ name: 'utf8-bom', bytes: Buffer.from(`\ufeff${accented}`, 'utf8') }),
      () => {
        const bytes = Buffer.from(text, 'utf8');
        for (let k = 0; k < 1 + int(r, 5); k++) bytes[int(r, bytes.length)] = int(r, 256);
        return { name: 'random-bytes', bytes };
      },
      () => ({
        name: 'binary',
        bytes: Buffer.from(Array.from({ length: 4096 }, () => int(r, 256))),
      }),
      () => utf8('control', text.replace(/\n/, `${String.fromCharCode(int(r, 32))}\n`)),
    ];
    return pick(r, kinds)();
  },
  'size and shape': (text, r) => {
    const n = 1 + int(r, 50_000);
    const kinds: (() => Mutant)[] = [
      () => utf8('deep-flow', `all: ${'['.repeat(n)}${']'.repeat(n)}\n`),
      () => utf8('deep-flow-open', `all: ${'{a: '.repeat(n)}\n`),
      () =>
        utf8(
          'deep-block',
          Array.from({ length: Math.min(n, 3_000) }, (_, d) => `${' '.repeat(d)}k${d}:`).join('\n'),
        ),
      () => utf8('deep-seq', `${'- '.repeat(Math.min(n, 5_000))}x\n`),
      () => utf8('long-line', text.replace(/ssh_user: \w+/, `ssh_user: ${'x'.repeat(1_000_000)}`)),
      () => utf8('long-key', `${'k'.repeat(1_000_000)}: 1\n${text}`),
      () =>
        utf8(
          'huge',
          `${text}\n${Array.from({ length: 20_000 }, (_, k) => `# padding line ${k} ${'='.repeat(40)}`).join('\n')}\n`,
        ),
      () =>
        utf8(
          'many-keys',
          `all:\n  vars:\n${Array.from({ length: 20_000 }, (_, k) => `    v${k}: ${k}`).join('\n')}\n`,
        ),
      () =>
        utf8(
          'quotes',
          text.replace(/: (\S+)$/m, ': "$1').replace(/\n/, `\n# "${'\\'.repeat(n % 1000)}\n`),
        ),
    ];
    return pick(r, kinds)();
  },
};

describe('fuzz: hostile inputs never hang or crash validate', function () {
  this.timeout(15 * 60_000);
  const SEED = Number(process.env.FUZZ_SEED ?? 20260519);
  const PER_CLASS = Number(process.env.FUZZ_COUNT ?? 8);
  const inventory = fs.readFileSync(fixture('inventories', 'good', 'minimal.yml'), 'utf8');
  const playbook = fs.readFileSync(fixture('playbooks', 'engine.yml'), 'utf8');
  let work: string;
  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-fuzz-inputs-'));
    fs.cpSync(fixture('templates'), path.join(work, 'templates'), { recursive: true });
    fs.cpSync(fixture('files'), path.join(work, 'files'), { recursive: true });
    fs.mkdirSync(path.join(work, 'playbooks'));
  });
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const [className, mutate] of Object.entries(CLASSES)) {
    it(`${className}: ${PER_CLASS * 2} mutants of an inventory and a playbook (seed ${SEED})`, () => {
      const random = prng(SEED + className.length);
      const problems: string[] = [];
      for (let i = 0; i < PER_CLASS * 2; i++) {
        const ofInventory = i % 2 === 0;
        const mutant = mutate(ofInventory ? inventory : playbook, random);
        const inv = path.join(work, `inventory-${i}.yml`);
        const pb = path.join(work, 'playbooks', `playbook-${i}.yml`);
        fs.writeFileSync(inv, ofInventory ? mutant.bytes : inventory);
        fs.writeFileSync(pb, ofInventory ? playbook : mutant.bytes);
        const r = runBounded(['validate', '-i', path.relative(ROOT, inv), path.relative(ROOT, pb)]);
        const crash = crashOf(r);
        const named =
          r.code !== 1 ||
          r.stderr
            .split('\n')
            .some(
              (l) =>
                l.includes(path.basename(inv)) ||
                l.includes(path.basename(pb)) ||
                /\(host /.test(l),
            );
        if (crash || !named)
          problems.push(
            `#${i} ${mutant.name} (${ofInventory ? 'inventory' : 'playbook'}): ${crash ?? `no error names an input: ${r.stderr.slice(0, 300)}`}`,
          );
      }
      assert.deepEqual(problems, [], `kept in ${work}`);
    });
  }
});
