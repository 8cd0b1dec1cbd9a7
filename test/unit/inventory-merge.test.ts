import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatDiagnostic } from '../../src/core/errors';
import { loadInventory, parseInventory } from '../../src/inventory/load';
import type { Inventory } from '../../src/inventory/model';

/** Writes files under a fresh folder; returns the folder. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-merge-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const DECLARED = ['v', 'w', 'flag', 'mode', 'when_due', 'ntp', 'tz'];

function load(dir: string, playbookDir?: string): Inventory {
  const r = loadInventory(path.join(dir, 'inventory.yml'), { declared: DECLARED, playbookDir });
  assert.ok(r.value, r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.value;
}

function parse(text: string): Inventory {
  const r = parseInventory('/nonexistent/inventory.yml', text, { declared: DECLARED });
  assert.ok(r.value, r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.value;
}

function errors(text: string): string {
  const r = parseInventory('/nonexistent/inventory.yml', text, { declared: DECLARED });
  assert.equal(r.value, undefined, 'expected the inventory to be refused');
  return r.diagnostics.map(formatDiagnostic).join('\n');
}

const v = (inv: Inventory, host: string, name = 'v') => inv.hosts.get(host)!.vars[name];

describe('inventory merge, as Ansible merges', () => {
  it('orders sibling groups by code point: "Web" applies before "db", so db wins', () => {
    const inv = parse(`
Web: { vars: { v: Web }, hosts: { h: } }
db: { vars: { v: db }, hosts: { h: } }
`);
    assert.equal(v(inv, 'h'), 'db');
    assert.deepEqual(inv.hosts.get('h')!.groups, ['all', 'Web', 'db']);
  });

  it('ansible_group_priority: among groups of one depth the higher priority applies later', () => {
    const inv = parse(`
all:
  children:
    a: { vars: { v: a, ansible_group_priority: 10 }, hosts: { h: } }
    b: { vars: { v: b }, hosts: { h: } }
`);
    assert.equal(v(inv, 'h'), 'a');
    assert.equal(inv.groups.get('a')!.priority, 10);
    assert.equal(inv.groups.get('a')!.vars.ansible_group_priority, undefined, 'not a variable');
  });

  it('a group nested later in the file takes its new depth, and so do its children', () => {
    const inv = parse(`
late:
  children:
    late_kid: { vars: { v: late_kid }, hosts: { h: } }
outer:
  children:
    mid:
      children:
        late:
        sibling: { vars: { v: sibling }, hosts: { h: } }
`);
    assert.equal(inv.groups.get('late')!.depth, 3);
    assert.equal(inv.groups.get('late_kid')!.depth, 4);
    assert.equal(v(inv, 'h'), 'late_kid');
    assert.deepEqual(inv.groups.get('all')!.children, ['ungrouped', 'outer']);
  });

  it('hosts only in all are in ungrouped; a host in several groups is in each', () => {
    const inv = parse(`
all:
  hosts: { solo: , both: }
  children:
    ungrouped: { hosts: { listed: , moved: } }
    a: { hosts: { both: , moved: } }
    b: { hosts: { both: } }
`);
    assert.deepEqual(inv.groups.get('ungrouped')!.hosts, ['listed', 'solo']);
    assert.deepEqual(inv.hosts.get('both')!.groups, ['all', 'a', 'b']);
  });

  it('expands host ranges: numbers with padding and a step, letters, several in one name', () => {
    const inv = parse(`
web: { hosts: { "www[01:05:2].example.com": { v: r } } }
db: { hosts: { "db-[a:c]": , "n[1:2]-[x:y]": } }
`);
    assert.deepEqual(inv.groups.get('web')!.hosts, [
      'www01.example.com',
      'www03.example.com',
      'www05.example.com',
    ]);
    assert.equal(v(inv, 'www03.example.com'), 'r');
    assert.deepEqual(inv.groups.get('db')!.hosts, [
      'db-a',
      'db-b',
      'db-c',
      'n1-x',
      'n1-y',
      'n2-x',
      'n2-y',
    ]);
    assert.match(errors('web: { hosts: { "w[01:5]": } }'), /same number of digits/);
  });

  it('refuses a loop of groups', () => {
    assert.match(errors('a: { children: { b: { children: { a: } } } }'), /loop: a → b → a/);
  });
});

describe('group_vars/ and host_vars/, as Ansible reads them', () => {
  it("reads the folders beside the inventory, in Ansible's precedence", () => {
    const dir = tree({
      'inventory.yml': `
all:
  vars: { v: all_file, w: all_file }
  children:
    web:
      vars: { v: web_file, w: web_file }
      hosts:
        h: { tz: host_file }
        g:
`,
      'group_vars/all.yml': 'w: gv_all\nntp: gv_all\n',
      'group_vars/web.yml': 'ntp: gv_web\n',
      'host_vars/h.yml': 'tz: hv_h\n',
    });
    const inv = load(dir);
    // group_vars/all outranks every group's vars in the inventory file.
    assert.equal(v(inv, 'g', 'w'), 'gv_all');
    assert.equal(v(inv, 'g', 'v'), 'web_file');
    assert.equal(v(inv, 'g', 'ntp'), 'gv_web');
    assert.equal(v(inv, 'h', 'tz'), 'hv_h', 'host_vars/ outranks the inventory file');
    const origin = inv.hosts.get('h')!.origins.tz!;
    assert.equal(origin.file, path.join(dir, 'host_vars', 'h.yml'));
  });

  it("reads the playbook's folders over the inventory's", () => {
    const dir = tree({
      'inventory.yml': 'web: { hosts: { h: { w: inv_host } } }\n',
      'group_vars/web.yml': 'v: inv_gv\nntp: inv_gv\n',
      'pb/group_vars/web.yml': 'v: pb_gv\n',
      'pb/host_vars/h.yml': 'w: pb_hv\n',
    });
    const inv = load(dir, path.join(dir, 'pb'));
    assert.equal(v(inv, 'h'), 'pb_gv');
    assert.equal(v(inv, 'h', 'ntp'), 'inv_gv');
    assert.equal(v(inv, 'h', 'w'), 'pb_hv');
  });

  it('NAME, NAME.yml, NAME.yaml, NAME.json: the first found; a folder NAME/ merges in name order', () => {
    const dir = tree({
      'inventory.yml': 'web: { hosts: { h: } }\ndb: { hosts: { h: } }\n',
      'group_vars/web/10-base.yml': 'v: base\nw: base\n',
      'group_vars/web/20-site.yaml': 'v: site\n',
      'group_vars/web/sub/30.json': '{"ntp": "json"}',
      'group_vars/web/README.txt': 'not read',
      'group_vars/db.yml': 'tz: yml\n',
      'group_vars/db.json': '{"tz": "json"}',
    });
    const r = loadInventory(path.join(dir, 'inventory.yml'), { declared: DECLARED });
    const inv = r.value!;
    assert.equal(v(inv, 'h'), 'site');
    assert.equal(v(inv, 'h', 'w'), 'base');
    assert.equal(v(inv, 'h', 'ntp'), 'json');
    assert.equal(v(inv, 'h', 'tz'), 'yml');
    const warnings = r.diagnostics.map(formatDiagnostic).join('\n');
    assert.match(warnings, /db\.json: warning: not read: for group "db" only the first of/);
  });

  it('an error in a variables file names the file, line and column', () => {
    const dir = tree({
      'inventory.yml': 'web: { hosts: { h: } }\n',
      'group_vars/web.yml': '# web\nssh_port: 99999\nadress: 10.0.0.1\n',
    });
    const r = loadInventory(path.join(dir, 'inventory.yml'));
    const text = r.diagnostics.map(formatDiagnostic).join('\n');
    assert.match(text, /group_vars\/web\.yml:2:11: ssh_port: must be 1-65535/);
    assert.match(
      text,
      /group_vars\/web\.yml:3:1: adress: unknown variable \(did you mean "address"\?\)/,
    );
  });

  it('warns about a file that names no group or host', () => {
    const dir = tree({
      'inventory.yml': 'web: { hosts: { h: } }\n',
      'group_vars/webservers.yml': 'v: 1\n',
    });
    const r = loadInventory(path.join(dir, 'inventory.yml'), { declared: DECLARED });
    assert.ok(r.value);
    assert.match(r.diagnostics.map(formatDiagnostic).join('\n'), /no group named "webservers"/);
  });
});

describe('YAML as Ansible reads it (1.1)', () => {
  it("yes/no/on/off are booleans, for the tool's variables and declared ones", () => {
    const inv = parse('all: { vars: { become: yes, flag: on, firewall: off }, hosts: { h: } }');
    assert.equal(v(inv, 'h', 'become'), true);
    assert.equal(v(inv, 'h', 'flag'), true);
    assert.equal(v(inv, 'h', 'firewall'), false);
    assert.equal(v(parse('all: { vars: { flag: "yes" }, hosts: { h: } }'), 'h', 'flag'), 'yes');
  });

  it('merge keys (<<) merge, own keys winning', () => {
    const merged = parse(`
x: { hosts: { a: &common { v: base, w: base }, b: { <<: *common, w: own } } }
`);
    assert.equal(v(merged, 'b'), 'base');
    assert.equal(v(merged, 'b', 'w'), 'own');
  });

  it('an unquoted 0644 or 1:30 is an error saying how to quote it, never a silent value', () => {
    const octal = errors('all: { vars: { mode: 0644 }, hosts: { h: } }');
    assert.match(
      octal,
      /inventory\.yml:1:22: all\.vars\.mode: unquoted 0644 is the number 420 in YAML 1\.1 \(as Ansible reads it\) but the number 644 in YAML 1\.2/,
    );
    assert.match(octal, /quote it \("0644"\)/);
    const time = errors('all: { vars: { when_due: 1:30 }, hosts: { h: } }');
    assert.match(
      time,
      /unquoted 1:30 is the number 90 in YAML 1\.1 .* but the string "1:30" in YAML 1\.2/,
    );
    assert.equal(v(parse('all: { vars: { mode: "0644" }, hosts: { h: } }'), 'h', 'mode'), '0644');
  });
});

describe('what the tool does not read is refused by name', () => {
  it('an INI inventory', () => {
    assert.match(
      errors('[web]\nweb-01 ansible_host=10.0.0.1\n'),
      /INI inventories are not supported/,
    );
  });
  it('a dynamic inventory script', () => {
    assert.match(
      errors('#!/usr/bin/env python3\nprint("{}")\n'),
      /dynamic inventory scripts are not supported/,
    );
  });
});
