import { strict as assert } from 'node:assert';
import { parse } from 'yaml';
import { readPlainScalar } from '../../src/inventory/yaml11';

/** Plain scalars: what Ansible's YAML 1.1 reads, or "refused" where 1.1 and 1.2 disagree. */
const TABLE: [string, unknown][] = [
  ['yes', true],
  ['Yes', true],
  ['YES', true],
  ['on', true],
  ['On', true],
  ['no', false],
  ['OFF', false],
  ['true', true],
  ['False', false],
  ['y', 'y'],
  ['n', 'n'],
  ['~', null],
  ['null', null],
  ['42', 42],
  ['-7', -7],
  ['0', 0],
  ['0x1F', 31],
  ['1.5', 1.5],
  ['.inf', Infinity],
  ['2024-01-15', '2024-01-15'],
  ['web-01', 'web-01'],
  ['10.0.0.1', '10.0.0.1'],
  ['0644', 'refused'],
  ['022', 'refused'],
  ['09', 'refused'],
  ['1:30', 'refused'],
  ['190:20:30', 'refused'],
  ['1_000', 'refused'],
  ['0b101', 'refused'],
  ['0o17', 'refused'],
  ['1e3', 'refused'],
  ['1.0e3', 'refused'],
  ['2001-12-14t21:59:43.10-05:00', 'refused'],
];

describe('YAML 1.1 plain scalars, as Ansible reads them', () => {
  for (const [raw, expected] of TABLE) {
    it(`${raw} → ${expected === 'refused' ? 'an error (1.1 and 1.2 disagree)' : JSON.stringify(expected)}`, () => {
      const reading = readPlainScalar(raw, parse(raw) as unknown);
      if (expected === 'refused') assert.equal(reading.agree, false);
      else assert.deepEqual(reading, { agree: true, value: expected });
    });
  }
});
