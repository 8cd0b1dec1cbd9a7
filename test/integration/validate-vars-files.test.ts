import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../support/cli';

const INVENTORY = `all:
  vars:
    ssh_user: deploy
    lb_tls: false
    mysql_tls: false
  children:
    lb:
      hosts:
        lb-01: { address: 10.0.0.10, firewall_admin_sources: [10.0.0.0/24] }
    web:
      hosts:
        web-01: { address: 10.0.0.11 }
        web-02: { address: 10.0.0.12 }
`;

const SITE = `- hosts: lb
  tasks:
    - name: the balancer's config
      template: { src: lb.conf.hbs, dest: /etc/lb.conf }
- hosts: web
  tasks:
    - name: the web config
      template: { src: web.conf.hbs, dest: /etc/web.conf }
`;

/**
 * validate with errors in group_vars/ and host_vars/ files: each is reported
 * where it stands, the site's rules never judge a value that was refused (or a
 * file that could not be read), and the templates of the hosts no error
 * touches are still rendered: every independent error in one run.
 */
describe('validate: errors in variables files, every one in a run, no knock-on errors', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-varsfiles-'));
    fs.writeFileSync(path.join(dir, 'inventory.yml'), INVENTORY);
    fs.writeFileSync(path.join(dir, 'site.yml'), SITE);
    fs.mkdirSync(path.join(dir, 'templates'));
    fs.writeFileSync(path.join(dir, 'templates', 'lb.conf.hbs'), 'backend {{backend_name}}\n');
    fs.writeFileSync(path.join(dir, 'templates', 'web.conf.hbs'), 'listen {{web_name}}\n');
    fs.mkdirSync(path.join(dir, 'group_vars'));
    fs.mkdirSync(path.join(dir, 'host_vars'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const validate = () =>
    cli('validate', '-i', path.join(dir, 'inventory.yml'), path.join(dir, 'site.yml'));

  it('a refused address in host_vars/ is one error, not also a firewall rule on its default', async () => {
    fs.writeFileSync(
      path.join(dir, 'group_vars', 'web.yml'),
      'firewall_admin_sources: [10.0.0.0/24]\n',
    );
    fs.writeFileSync(path.join(dir, 'host_vars', 'web-01.yml'), 'address: 10.0.0.256\n');
    const r = await validate();
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /host_vars\/web-01\.yml:1:10: address: .*10\.0\.0\.256/);
    assert.doesNotMatch(r.stderr, /the firewall needs an IP address/);
    // lb-01 and web-02 are untouched: their templates are rendered and checked.
    assert.match(
      r.stderr,
      /lb\.conf\.hbs:1: variable "backend_name" is not defined \(host lb-01\)/,
    );
    assert.match(r.stderr, /web\.conf\.hbs:1: variable "web_name" is not defined \(host web-02\)/);
    assert.doesNotMatch(r.stderr, /\(host web-01\)/);
    assert.match(r.stderr, /validate: 3 errors/);
  });

  for (const [kind, bytes, message] of [
    ['binary', Buffer.from('a: 1\n\0\0\0'), /a binary file, not YAML text/],
    ['UTF-16', Buffer.from('\ufeffa: 1\n', 'utf16le'), /UTF-16/],
    ['not UTF-8', Buffer.from('a: caf\xe9\n', 'latin1'), /not UTF-8/],
    ['an alias typo', Buffer.from('a: &x 1\nb: *y\n'), /alias \*y refers to no anchor/],
  ] as const) {
    it(`group_vars/web.yml ${kind}: a positioned error, and the web hosts' rules and templates are skipped`, async () => {
      fs.writeFileSync(path.join(dir, 'group_vars', 'web.yml'), bytes);
      const r = await validate();
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`group_vars/web\\.yml:\\d+:\\d+: .*${message.source}`));
      // The file would have set firewall_admin_sources: no rule judges what it could not say.
      assert.doesNotMatch(r.stderr, /firewall is on by default/);
      assert.doesNotMatch(r.stderr, /web\.conf\.hbs/);
      assert.match(
        r.stderr,
        /lb\.conf\.hbs:1: variable "backend_name" is not defined \(host lb-01\)/,
      );
      assert.match(r.stderr, /validate: 2 errors/);
    });
  }
});
