import { strict as assert } from 'node:assert';
import { ExpressionError, evaluate, parseExpression } from '../../src/playbook/when';

const vars = {
  mysql_role: 'replica',
  port: 22,
  groups: { web: ['a'] },
  group_names: ['web'],
  flag: false,
};

describe('when: expressions', () => {
  const cases: [string, boolean][] = [
    ["mysql_role == 'replica'", true],
    ['mysql_role != "replica"', false],
    ["mysql_role == 'replica' and port == 22", true],
    ["not (mysql_role == 'replica') or port >= 22", true],
    ["'web' in group_names", true],
    ["'lb' not in group_names", true],
    ['mysql_source is defined', false],
    ['mysql_source is not defined', true],
    ['groups.web', true],
    ['flag', false],
    ['not flag', true],
    ['port < 1024 and port > 0', true],
  ];
  for (const [expr, want] of cases) {
    it(`${expr} → ${want}`, () => assert.equal(evaluate(parseExpression(expr), vars), want));
  }

  it('an undefined variable is an error, not false', () => {
    assert.throws(() => evaluate(parseExpression('nope == 1'), vars), /"nope" is not defined/);
  });

  for (const [bad, col] of [
    ["mysql_role == 'x", 15],
    ['port ==', 8],
    ['(port == 1', 11],
    ['port = 1', 6],
    ['a is b', 6],
  ] as const) {
    it(`syntax error "${bad}" names column ${col}`, () => {
      assert.throws(
        () => parseExpression(bad),
        (e: unknown) => e instanceof ExpressionError && e.column === col,
      );
    });
  }
});
