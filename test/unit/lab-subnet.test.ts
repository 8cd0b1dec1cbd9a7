import { strict as assert } from 'node:assert';
import { UsageError } from '../../src/core/errors';
import {
  formatIpv4,
  gatewayAddress,
  hostAddress,
  hostCapacity,
  parseIpv4,
  parseSubnet,
  rangesOverlap,
} from '../../src/lab/subnet';

describe('lab subnets', () => {
  it('parses a /24 and allocates .1 to the machine and .11 upward to hosts', () => {
    const s = parseSubnet('10.231.0.0/24');
    assert.equal(s.cidr, '10.231.0.0/24');
    assert.equal(gatewayAddress(s), '10.231.0.1');
    assert.deepEqual(
      [0, 1, 2].map((i) => hostAddress(s, i)),
      ['10.231.0.11', '10.231.0.12', '10.231.0.13'],
    );
    assert.equal(hostCapacity(s), 244);
    assert.equal(hostAddress(s, 243), '10.231.0.254');
    assert.throws(() => hostAddress(s, 244), UsageError);
  });

  it('accepts other prefixes from /16 to /28', () => {
    assert.equal(hostCapacity(parseSubnet('172.16.0.0/16')), 65524);
    assert.equal(hostCapacity(parseSubnet('192.168.7.16/28')), 4);
    assert.equal(hostAddress(parseSubnet('192.168.7.16/28'), 3), '192.168.7.30');
  });

  const refused: [string, RegExp][] = [
    ['10.231.0.0', /not an IPv4 CIDR/],
    ['10.231.0.0/33', /not an IPv4 CIDR/],
    ['10.231.0/24', /not an IPv4 CIDR/],
    ['10.231.0.256/24', /not an IPv4 CIDR/],
    ['010.1.0.0/24', /not an IPv4 CIDR/],
    ['lab', /not an IPv4 CIDR/],
    ['10.0.0.0/8', /between \/16 and \/28/],
    ['10.231.0.0/30', /between \/16 and \/28/],
    ['10.231.0.5/24', /did you mean 10\.231\.0\.0\/24/],
    ['8.8.8.0/24', /not in a private range/],
    ['172.32.0.0/24', /not in a private range/],
  ];
  for (const [text, message] of refused) {
    it(`refuses ${text}`, () => {
      assert.throws(
        () => parseSubnet(text),
        (e: Error) => e instanceof UsageError && message.test(e.message),
      );
    });
  }

  it('converts addresses both ways and detects overlapping ranges', () => {
    assert.equal(parseIpv4('192.0.2.255'), 0xc00002ff);
    assert.equal(formatIpv4(0xc00002ff), '192.0.2.255');
    assert.equal(parseIpv4('1.2.3'), undefined);
    const a = parseSubnet('10.231.0.0/24');
    assert.equal(rangesOverlap(a, parseSubnet('10.231.0.0/16')), true);
    assert.equal(rangesOverlap(a, { network: parseIpv4('10.231.0.255')!, prefix: 32 }), true);
    assert.equal(rangesOverlap(a, parseSubnet('10.231.1.0/24')), false);
  });
});
