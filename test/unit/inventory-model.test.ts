import { strict as assert } from 'node:assert';
import { parseInventory } from '../../src/inventory/load';
import { selectHosts } from '../../src/inventory/patterns';
import { fixture } from '../support/cli';
import { loadInventory } from '../../src/inventory/load';
import { SITE_VARIABLES } from '../../src/site/variables';

const variables = SITE_VARIABLES;

const load = (text: string, declared: string[] = []) => {
  const r = parseInventory('inv.yml', text, { declared, variables });
  assert.ok(r.value, r.diagnostics.map((d) => d.message).join('\n'));
  return r.value;
};

describe('inventory model', () => {
  const inv = load(`
all:
  vars: { ssh_user: ops, web_port: 8080, lb_tls: false, firewall: false, mysql_tls: false }
  children:
    web:
      vars: { web_port: 80, ssh_port: 2222 }
      children:
        web_eu:
          vars: { ssh_port: 2200 }
          hosts:
            web-01: { ansible_host: 10.1.0.1, mysql_role: primary, server_id: 7 }
      hosts:
        web-02: { address: 10.1.0.2, ssh_port: 22 }
    lb:
      hosts:
        lb-01:
`);

  it('merges host over child group over parent group over all over defaults', () => {
    const web1 = inv.hosts.get('web-01')!;
    assert.equal(web1.vars.ssh_user, 'ops');
    assert.equal(web1.vars.web_port, 80);
    assert.equal(web1.vars.ssh_port, 2200);
    assert.equal(web1.vars.address, '10.1.0.1', 'ansible_host is an alias of address');
    assert.equal(inv.hosts.get('web-02')!.vars.ssh_port, 22);
    assert.equal(inv.hosts.get('lb-01')!.vars.web_port, 8080);
    assert.equal(inv.hosts.get('lb-01')!.vars.address, 'lb-01', 'address defaults to the name');
    assert.equal(inv.hosts.get('lb-01')!.vars.app_port, 3000, 'defaults apply');
    assert.deepEqual(web1.groups, ['all', 'web', 'web_eu']);
  });

  it('selects hosts with Ansible patterns', () => {
    assert.deepEqual(selectHosts(inv, 'web').hosts, ['web-01', 'web-02']);
    assert.deepEqual(selectHosts(inv, 'all:!web_eu').hosts, ['web-02', 'lb-01']);
    assert.deepEqual(selectHosts(inv, 'web:&web_eu').hosts, ['web-01']);
    assert.deepEqual(selectHosts(inv, 'lb,web-0?').hosts, ['web-01', 'web-02', 'lb-01']);
    assert.deepEqual(selectHosts(inv, '*-01').hosts, ['web-01', 'lb-01']);
    assert.deepEqual(selectHosts(inv, 'nothing').unmatched, ['nothing']);
    // Only * and ? are wildcards: a "[" is literal, never an invalid RegExp (it crashed).
    assert.deepEqual(selectHosts(inv, 'web-[*').unmatched, ['web-[*']);
  });

  it("keeps the operator's own variables, as Ansible does, and refuses a near miss of a known one", () => {
    const text = 'all:\n  vars:\n    motd: hello\n  hosts:\n    a: {}\n';
    assert.equal(load(text, ['motd']).hosts.get('a')!.vars.motd, 'hello');
    assert.equal(load(text).hosts.get('a')!.vars.motd, 'hello');
    const r = parseInventory(
      'inv.yml',
      'all:\n  vars:\n    adress: 10.0.0.1\n  hosts:\n    a: {}\n',
      { variables },
    );
    assert.equal(r.value, undefined);
    assert.match(r.diagnostics[0]!.message, /unknown variable \(did you mean "address"\?\)/);
  });

  it('refuses a plain-text value for a declared secret-looking variable', () => {
    const r = parseInventory(
      'inv.yml',
      'all:\n  vars:\n    api_token: abc123\n  hosts:\n    a: {}\n',
      { declared: ['api_token'], variables },
    );
    assert.match(r.diagnostics[0]!.message, /plain-text secret/);
  });

  it('loads the shipped production example without warnings', () => {
    const r = loadInventory(fixture('..', '..', 'inventories', 'production.example.yml'), {
      variables,
    });
    assert.ok(r.value);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual([...r.value.hosts.keys()], ['lb-01', 'web-01', 'web-02']);
  });
});
