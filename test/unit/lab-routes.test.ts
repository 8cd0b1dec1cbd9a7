import { strict as assert } from 'node:assert';
import { findRouteClashes, parseIpRoutes } from '../../src/lab/routes';
import { parseSubnet } from '../../src/lab/subnet';

/** `ip -4 route show table all` on this project's machine, with the default lab up. */
const MACHINE_WITH_LAB = `default via 192.0.2.1 dev eth0
10.231.0.0/24 dev fbl-default proto kernel scope link src 10.231.0.1
192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
local 10.231.0.1 dev fbl-default table local proto kernel scope host src 10.231.0.1
broadcast 10.231.0.255 dev fbl-default table local proto kernel scope link src 10.231.0.1
local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1
local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1
local 192.0.2.2 dev eth0 table local proto kernel scope host src 192.0.2.2
broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2
`;

/** A workstation: docker, a VPN with a multipath route, a blackhole. */
const WORKSTATION = `default via 192.168.1.1 dev wlan0 proto dhcp src 192.168.1.23 metric 600
10.8.0.0/16 via 10.8.0.1 dev tun0
10.231.0.0/16 proto static
	nexthop via 10.8.0.1 dev tun0 weight 1
	nexthop via 10.8.0.2 dev tun0 weight 1
172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
blackhole 10.99.0.0/24
192.168.1.0/24 dev wlan0 proto kernel scope link src 192.168.1.23 metric 600
`;

describe('lab subnet clashes with the machine routes', () => {
  it('parses types, destinations, devices and tables; skips default and nexthop lines', () => {
    const routes = parseIpRoutes(MACHINE_WITH_LAB);
    assert.equal(routes.length, 9);
    assert.deepEqual(
      [routes[0].type, routes[0].destination, routes[0].dev, routes[0].table],
      ['unicast', '10.231.0.0/24', 'fbl-default', undefined],
    );
    assert.deepEqual(
      [routes[2].type, routes[2].destination, routes[2].prefix, routes[2].table],
      ['local', '10.231.0.1', 32, 'local'],
    );
    const ws = parseIpRoutes(WORKSTATION);
    assert.deepEqual(
      ws.map((r) => r.destination),
      ['10.8.0.0/16', '10.231.0.0/16', '172.17.0.0/16', '10.99.0.0/24', '192.168.1.0/24'],
    );
    assert.equal(ws[1].dev, undefined);
    assert.equal(ws[3].type, 'blackhole');
  });

  it("ignores the lab's own bridge but not another lab's", () => {
    const routes = parseIpRoutes(MACHINE_WITH_LAB);
    assert.deepEqual(findRouteClashes(routes, parseSubnet('10.231.0.0/24'), 'fbl-default'), []);
    const clash = findRouteClashes(routes, parseSubnet('10.231.0.0/24'), 'fbl-e2e');
    assert.deepEqual(
      clash.map((r) => r.line),
      [
        '10.231.0.0/24 dev fbl-default proto kernel scope link src 10.231.0.1',
        'local 10.231.0.1 dev fbl-default table local proto kernel scope host src 10.231.0.1',
        'broadcast 10.231.0.255 dev fbl-default table local proto kernel scope link src 10.231.0.1',
      ],
    );
    assert.deepEqual(findRouteClashes(routes, parseSubnet('10.231.100.0/24'), 'fbl-e2e'), []);
  });

  it("names eth0's network", () => {
    const clash = findRouteClashes(parseIpRoutes(MACHINE_WITH_LAB), parseSubnet('192.0.2.0/24'));
    assert.equal(clash[0].line, '192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2');
    assert.equal(clash.length, 3);
  });

  it('finds wider, narrower and blackhole routes; the default route never clashes', () => {
    const routes = parseIpRoutes(WORKSTATION);
    const at = (cidr: string) =>
      findRouteClashes(routes, parseSubnet(cidr)).map((r) => r.destination);
    assert.deepEqual(at('10.231.5.0/24'), ['10.231.0.0/16']);
    assert.deepEqual(at('10.8.200.0/24'), ['10.8.0.0/16']);
    assert.deepEqual(at('10.99.0.0/24'), ['10.99.0.0/24']);
    assert.deepEqual(at('10.0.0.0/16'), []);
    assert.deepEqual(at('192.168.1.16/28'), ['192.168.1.0/24']);
  });
});
