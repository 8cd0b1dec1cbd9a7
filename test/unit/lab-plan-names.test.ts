import { strict as assert } from 'node:assert';
import { UsageError } from '../../src/core/errors';
import {
  bridgeName,
  hostNamesFromOption,
  labTag,
  MAX_INTERFACE_NAME,
  planHosts,
  validateLabName,
  vethName,
} from '../../src/lab/plan-names';
import { parseSubnet } from '../../src/lab/subnet';

describe('lab host names and plans', () => {
  it('defaults to lb-01, web-01, web-02', () => {
    assert.deepEqual(hostNamesFromOption(undefined), ['lb-01', 'web-01', 'web-02']);
  });

  it('a number gives the lb and N-1 web hosts', () => {
    assert.deepEqual(hostNamesFromOption('1'), ['lb-01']);
    assert.deepEqual(hostNamesFromOption(4), ['lb-01', 'web-01', 'web-02', 'web-03']);
    assert.equal(hostNamesFromOption('12')[11], 'web-11');
  });

  it('a list gives those names, the first being the lb', () => {
    assert.deepEqual(hostNamesFromOption('front, app1,app2'), ['front', 'app1', 'app2']);
    assert.deepEqual(hostNamesFromOption(['a', 'b']), ['a', 'b']);
  });

  const refused: [string, RegExp][] = [
    ['0', /from 1 to 244/],
    ['245', /from 1 to 244/],
    ['a,a', /listed twice/],
    ['lb,Web', /not a valid host name/],
    ['lb,-x', /not a valid host name/],
    ['lb,', /not a valid host name/],
    ['lb,x_y', /not a valid host name/],
  ];
  for (const [value, message] of refused) {
    it(`refuses --hosts ${value}`, () => {
      assert.throws(
        () => hostNamesFromOption(value),
        (e: Error) => e instanceof UsageError && message.test(e.message),
      );
    });
  }

  it('plans roles, replication and addresses', () => {
    const plan = planHosts('default', hostNamesFromOption('4'), parseSubnet('10.231.0.0/24'));
    assert.deepEqual(
      plan.map((h) => [h.name, h.role, h.address, h.mysqlRole, h.mysqlSource, h.serverId]),
      [
        ['lb-01', 'lb', '10.231.0.11', undefined, undefined, undefined],
        ['web-01', 'web', '10.231.0.12', 'primary', undefined, 1],
        ['web-02', 'web', '10.231.0.13', 'replica', 'web-01', 2],
        ['web-03', 'web', '10.231.0.14', 'replica', 'web-01', 3],
      ],
    );
    assert.deepEqual(
      plan.map((h) => [h.netns, h.veth]),
      [
        ['fbl-default-lb-01', 'fbv-default-0'],
        ['fbl-default-web-01', 'fbv-default-1'],
        ['fbl-default-web-02', 'fbv-default-2'],
        ['fbl-default-web-03', 'fbv-default-3'],
      ],
    );
  });

  it('two load balancers: the leading hosts named lb*, the first web host the primary', () => {
    const plan = planHosts(
      'ha',
      hostNamesFromOption('lb-01,lb-02,web-01,web-02'),
      parseSubnet('10.231.103.0/24'),
    );
    assert.deepEqual(
      plan.map((h) => [h.name, h.role, h.mysqlRole, h.mysqlSource, h.serverId]),
      [
        ['lb-01', 'lb', undefined, undefined, undefined],
        ['lb-02', 'lb', undefined, undefined, undefined],
        ['web-01', 'web', 'primary', undefined, 1],
        ['web-02', 'web', 'replica', 'web-01', 2],
      ],
    );
    // A name starting with lb later on is a web host; so is a lone lb-like second host of two.
    assert.deepEqual(
      planHosts('x', ['front', 'web', 'lb-x'], parseSubnet('10.1.1.0/24')).map((h) => h.role),
      ['lb', 'web', 'web'],
    );
    assert.deepEqual(
      planHosts('x', ['lb-01', 'lb-02'], parseSubnet('10.1.1.0/24')).map((h) => h.role),
      ['lb', 'web'],
    );
  });

  it('refuses more hosts than the subnet holds', () => {
    assert.throws(
      () => planHosts('x', hostNamesFromOption('5'), parseSubnet('10.1.1.0/28')),
      /room for 4 hosts/,
    );
  });

  it('keeps interface names within 15 characters, distinct per lab', () => {
    const names = ['default', 'e2e', 'e2e-mariadb', 'a-very-long-lab-name-indeed-32ch', 'abcdefgh'];
    for (const lab of names) {
      assert.ok(bridgeName(lab).length <= MAX_INTERFACE_NAME, bridgeName(lab));
      assert.ok(vethName(lab, 243).length <= MAX_INTERFACE_NAME, vethName(lab, 243));
    }
    assert.equal(bridgeName('default'), 'fbl-default');
    assert.equal(bridgeName('e2e'), 'fbl-e2e');
    assert.notEqual(labTag('e2e-mariadb'), labTag('e2e-mariadx'));
    assert.equal(new Set(names.map(bridgeName)).size, names.length);
  });

  it('validates lab names', () => {
    assert.equal(validateLabName(undefined), 'default');
    assert.equal(validateLabName('e2e'), 'e2e');
    for (const bad of ['', '-x', 'A', 'a/b', 'a'.repeat(33)]) {
      assert.throws(() => validateLabName(bad), UsageError, bad);
    }
  });
});
