import { strict as assert } from 'node:assert';
import {
  CommandFailed,
  InputError,
  TransportError,
  UsageError,
  VaultError,
} from '../../src/core/errors';
import { ExitCode, exitCodeFor } from '../../src/cli/exit-codes';
import { ChangeFailed } from '../../src/engine/host-driver';
import { FactParseError } from '../../src/facts/parse';
import { PlanError } from '../../src/modules/plan-error';
import { memoryIo } from '../../src/cli/io';

describe('errors map to exit codes in one place', () => {
  const cases: [unknown, number, RegExp][] = [
    [
      new InputError([
        { severity: 'error', file: 'i.yml', line: 2, col: 3, field: 'a.b', message: 'bad' },
      ]),
      ExitCode.ERROR,
      /^i\.yml:2:3: a\.b: bad\n$/,
    ],
    [new UsageError('no such thing'), ExitCode.ERROR, /^error: no such thing\n$/],
    [
      new TransportError('web-01', 'connect', 'timed out after 10 s'),
      ExitCode.HOST_UNREACHABLE,
      /web-01: connect: timed out/,
    ],
    [
      new CommandFailed('web-01', 'systemctl reload nginx', 1, 'job failed'),
      ExitCode.HOST_FAILED,
      /web-01: command failed \(exit 1\)/,
    ],
    // A host's state or answer, not a bug: the host failed.
    [
      new PlanError('/etc/nginx is a file where a folder belongs'),
      ExitCode.HOST_FAILED,
      /^error: \/etc\/nginx is a file where a folder belongs\n$/,
    ],
    [
      new FactParseError('tree /opt/foobar: unexpected line "x"'),
      ExitCode.HOST_FAILED,
      /^error: tree \/opt\/foobar: unexpected line "x"\n$/,
    ],
    [
      new ChangeFailed('nginx -t refused the candidate', 1, true),
      ExitCode.HOST_FAILED,
      /^error: nginx -t refused the candidate\n$/,
    ],
    [
      new VaultError('wrong-password', 'inventories/secrets.vault', 'wrong vault password'),
      6,
      /^error: inventories\/secrets\.vault: wrong vault password\n$/,
    ],
    [
      new VaultError('format', 's.vault', 'unknown vault format version "2"', 1),
      ExitCode.VAULT,
      /^error: s\.vault:1: unknown vault format version "2"\n$/,
    ],
  ];
  for (const [error, code, output] of cases) {
    it(`${(error as Error).name} → ${code}`, () => {
      const io = memoryIo();
      assert.equal(exitCodeFor(error, io), code);
      assert.match(io.stderr, output);
    });
  }

  it('anything else is an internal error that says so and how to report it', () => {
    const io = memoryIo();
    assert.equal(exitCodeFor(new TypeError('x is undefined'), io), ExitCode.INTERNAL);
    assert.match(io.stderr, /^internal error: foobar-infra hit a bug\. Please report it/);
  });

  it('redacts known secrets from error output', () => {
    const io = memoryIo();
    io.redactor.add('s3cr3t-value');
    exitCodeFor(new CommandFailed('db', 'mysql', 1, 'denied for s3cr3t-value'), io);
    assert.ok(!io.stderr.includes('s3cr3t-value'));
    assert.match(io.stderr, /denied for \*{8}/);
  });
});
