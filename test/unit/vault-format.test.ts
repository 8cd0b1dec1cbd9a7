import { strict as assert } from 'node:assert';
import * as crypto from 'node:crypto';
import { VaultError } from '../../src/core/errors';
import { parseVaultContent } from '../../src/vault/vault-content';
import { decrypt, encrypt, looksLikeVault, WRAP } from '../../src/vault/vault-format';

const PASSWORD = 'correct horse battery staple';
const TEXT = 'db_app: s3cret-value-1\nrepl: "another secret"\n';

/** The error `run` throws, checked to be a VaultError. */
function vaultError(run: () => unknown): VaultError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof VaultError, `expected a VaultError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a VaultError, nothing was thrown');
}

const HEADER = 8;
const lines = (text: string) => text.replace(/\n$/, '').split('\n');
const header = (text: string, key: string) =>
  lines(text)
    .find((l) => l.startsWith(`${key}: `))!
    .slice(key.length + 2);

/** The vault with one byte of its ciphertext-and-tag changed (index from the start; negative: from the end). */
function flipBodyByte(text: string, index: number): string {
  const all = lines(text);
  const body = Buffer.from(all.slice(HEADER).join(''), 'base64');
  const at = index < 0 ? body.length + index : index;
  body[at] = body[at]! ^ 0x01;
  const b64 = body.toString('base64');
  const wrapped: string[] = [];
  for (let i = 0; i < b64.length; i += WRAP) wrapped.push(b64.slice(i, i + WRAP));
  return [...all.slice(0, HEADER), ...wrapped].join('\n') + '\n';
}

/** The vault with one header line replaced, its header-sha256 left as it was. */
function replaceLine(text: string, index: number, line: string): string {
  const all = lines(text);
  assert.notEqual(all[index], line, 'the replacement changes the line');
  all[index] = line;
  return all.join('\n') + '\n';
}

/** Same, with the header-sha256 recomputed (an attacker can do that). */
function replaceLineResummed(text: string, index: number, line: string): string {
  const all = lines(replaceLine(text, index, line));
  const sum = crypto
    .createHash('sha256')
    .update(all.slice(0, HEADER - 1).join('\n') + '\n')
    .digest('base64');
  all[HEADER - 1] = `header-sha256: ${sum}`;
  return all.join('\n') + '\n';
}

describe('vault format', () => {
  const vault = encrypt(TEXT, PASSWORD);

  it('round trips text: unicode, empty, multi-line, longer than a line', () => {
    for (const text of [
      TEXT,
      '',
      'clé: "mot de passe ünïcödé 🔑"\n',
      'k: |\n  a\n  b\n'.repeat(40),
    ])
      assert.equal(decrypt(encrypt(text, PASSWORD), PASSWORD), text);
  });

  it('writes a versioned, readable header and base64 wrapped at a fixed width', () => {
    const all = lines(vault);
    assert.equal(all[0], '$FOOBAR_VAULT;1;AES-256-GCM;scrypt');
    assert.deepEqual(all.slice(1, 4), ['scrypt-N: 65536', 'scrypt-r: 8', 'scrypt-p: 1']);
    assert.match(all[4]!, /^salt: [A-Za-z0-9+/]{22}==$/);
    assert.match(all[5]!, /^nonce: [A-Za-z0-9+/]{16}$/);
    assert.match(all[6]!, /^check: [A-Za-z0-9+/]{43}=$/);
    assert.match(all[7]!, /^header-sha256: [A-Za-z0-9+/]{43}=$/);
    const body = all.slice(HEADER);
    assert.ok(body.slice(0, -1).every((l) => l.length === WRAP));
    assert.ok(body.at(-1)!.length > 0 && body.at(-1)!.length <= WRAP);
    assert.ok(vault.endsWith('\n'));
    assert.ok(!vault.includes('s3cret'), 'no plaintext in the vault');
    assert.ok(looksLikeVault(vault) && !looksLikeVault(TEXT));
  });

  it('uses a fresh salt and nonce on every write', () => {
    const again = encrypt(TEXT, PASSWORD);
    assert.notEqual(header(again, 'salt'), header(vault, 'salt'));
    assert.notEqual(header(again, 'nonce'), header(vault, 'nonce'));
    assert.notDeepEqual(lines(again).slice(HEADER), lines(vault).slice(HEADER));
  });

  it('reads the scrypt parameters from the header', () => {
    const light = encrypt(TEXT, PASSWORD, { N: 2 ** 14, r: 8, p: 2 });
    assert.deepEqual(lines(light).slice(1, 4), ['scrypt-N: 16384', 'scrypt-r: 8', 'scrypt-p: 2']);
    assert.equal(decrypt(light, PASSWORD), TEXT);
  });

  it('a wrong password is told apart from a tampered file', () => {
    const e = vaultError(() => decrypt(vault, 'Correct horse battery staple', 'site.vault'));
    assert.equal(e.reason, 'wrong-password');
    assert.equal(e.message, 'site.vault: wrong vault password');
  });

  it('a flipped byte in the ciphertext or in the tag is tampering, with the right password', () => {
    for (const index of [0, 7, -17, -1, -16]) {
      const e = vaultError(() => decrypt(flipBodyByte(vault, index), PASSWORD, 'site.vault'));
      assert.equal(e.reason, 'tampered', `byte ${index}`);
      assert.match(
        e.message,
        /^site\.vault:9: the content does not authenticate .*altered or is corrupt/,
      );
    }
  });

  it('a changed header parameter is tampering, whichever it is', () => {
    const salt = header(vault, 'salt');
    const nonce = header(vault, 'nonce');
    const other = (b64: string) => (b64[0] === 'A' ? 'B' : 'A') + b64.slice(1);
    const altered: [number, string][] = [
      [0, '$FOOBAR_VAULT;1;AES-256-GCM;scrypt '],
      [1, 'scrypt-N: 65537'],
      [1, 'scrypt-N: 16384'],
      [2, 'scrypt-r: 9'],
      [3, 'scrypt-p: 2'],
      [4, `salt: ${other(salt)}`],
      [5, `nonce: ${other(nonce)}`],
      [6, `check: ${other(header(vault, 'check'))}`],
      [7, `header-sha256: ${other(header(vault, 'header-sha256'))}`],
    ];
    for (const [index, line] of altered) {
      const e = vaultError(() => decrypt(replaceLine(vault, index, line), PASSWORD, 'v'));
      // The first line is checked for its version before anything else.
      if (index === 0) assert.equal(e.reason, 'format', line);
      else assert.equal(e.reason, 'tampered', line);
    }
  });

  it('a header altered with its checksum recomputed still never decrypts', () => {
    for (const [index, line] of [
      [5, `nonce: ${Buffer.alloc(12, 7).toString('base64')}`],
      [1, 'scrypt-N: 32768'],
    ] as const) {
      const e = vaultError(() => decrypt(replaceLineResummed(vault, index, line), PASSWORD));
      assert.ok(e.reason === 'wrong-password' || e.reason === 'tampered', e.message);
    }
  });

  it('unknown version, foreign cipher and a file that is no vault name the file and line 1', () => {
    const v2 = vault.replace('$FOOBAR_VAULT;1;', '$FOOBAR_VAULT;2;');
    const e = vaultError(() => decrypt(v2, PASSWORD, 'site.vault'));
    assert.equal(e.reason, 'format');
    assert.match(
      e.message,
      /^site\.vault:1: unknown vault format version "2": this foobar-infra reads version 1/,
    );
    const cbc = vault.replace('AES-256-GCM', 'AES-256-CBC');
    assert.match(
      vaultError(() => decrypt(cbc, PASSWORD, 'v')).message,
      /^v:1: unsupported vault header/,
    );
    const plain = vaultError(() => decrypt(TEXT, PASSWORD, 'plain.yml'));
    assert.equal(plain.reason, 'format');
    assert.match(plain.message, /^plain\.yml:1: not a foobar-infra vault/);
  });

  it('a truncated file is refused: in the header with its line, in the ciphertext as corrupt', () => {
    const all = lines(vault);
    const cut = (n: number) => all.slice(0, n).join('\n') + '\n';
    const inHeader = vaultError(() => decrypt(cut(4), PASSWORD, 'v'));
    assert.equal(inHeader.reason, 'format');
    assert.match(inHeader.message, /^v:5: truncated vault: the header ends at line 4/);
    const noBody = vaultError(() => decrypt(cut(HEADER), PASSWORD, 'v'));
    assert.equal(noBody.reason, 'tampered');
    assert.match(noBody.message, /^v:9: truncated vault: no ciphertext/);
    const halfLine = vaultError(() => decrypt(vault.slice(0, vault.length - 10), PASSWORD, 'v'));
    assert.equal(halfLine.reason, 'tampered');
    const damaged = [...all];
    damaged[HEADER] = `*${damaged[HEADER]!.slice(1)}`;
    const e = vaultError(() => decrypt(damaged.join('\n'), PASSWORD, 'v'));
    assert.equal(e.reason, 'tampered');
    assert.match(e.message, /^v:9: the ciphertext is damaged/);
  });

  it('parameters beyond the limits are refused before any key is derived', () => {
    const huge = replaceLineResummed(vault, 1, 'scrypt-N: 1073741824');
    const started = Date.now();
    const e = vaultError(() => decrypt(huge, PASSWORD, 'v'));
    assert.equal(e.reason, 'format');
    assert.match(e.message, /^v:2: unsupported scrypt parameters N=1073741824/);
    assert.ok(Date.now() - started < 1000);
  });

  it('refuses an empty password', () => {
    assert.equal(vaultError(() => encrypt(TEXT, '')).reason, 'no-password');
    assert.equal(vaultError(() => decrypt(vault, '')).reason, 'no-password');
  });
});

describe('vault content', () => {
  it('is a mapping of names to strings; comments alone are an empty vault', () => {
    const r = parseVaultContent('# comment\na: one-value\nb.c-d_e: |\n  line 1\n  line 2\n', 'v');
    assert.deepEqual(
      [...r.value!],
      [
        ['a', 'one-value'],
        ['b.c-d_e', 'line 1\nline 2\n'],
      ],
    );
    assert.equal(parseVaultContent('# nothing yet\n', 'v').value!.size, 0);
    assert.equal(parseVaultContent('', 'v').value!.size, 0);
  });

  it('refuses anything else with the file, line and name, never the value', () => {
    const cases: [string, RegExp][] = [
      ['- a\n- b\n', /^v:1:1: a vault holds a mapping of secret names to values .*got a list$/],
      ['a: 12345678\n', /^v:1:4: a: a secret is a string, got a number \(quote it\)$/],
      ['a: ok-value\nb: true\n', /^v:2:4: b: a secret is a string, got a boolean/],
      ['a: ""\n', /^v:1:4: a: a secret cannot be empty$/],
      ['a:\n  b: nested-value\n', /^v:2:3: a: a secret is a string, got a mapping$/],
      ['"bad name": x-value\n', /^v:1:1: bad name: not a secret name/],
      ['a: one-value\na: two-value\n', /^v:2:1: duplicate key "a"$/],
      ['a: [unclosed-value\n', /^v:\d+:\d+: YAML syntax error/],
    ];
    for (const [text, expected] of cases) {
      const r = parseVaultContent(text, 'v');
      assert.equal(r.value, undefined, text);
      const messages = r.diagnostics.map(
        (d) => [d.file, d.line, d.col].join(':') + `: ${d.field ? `${d.field}: ` : ''}${d.message}`,
      );
      assert.match(messages[0]!, expected, text);
      for (const secret of ['12345678', 'nested-value', 'x-value', 'two-value', 'unclosed-value'])
        assert.ok(
          !messages.join('\n').includes(secret),
          `${secret} echoed: ${messages.join('\n')}`,
        );
    }
  });
});
