/**
 * A large inventory in the shape operators bring from Ansible: one file that
 * names the hosts and groups, `group_vars/` for the groups' settings and one
 * `host_vars/` file a host. `validate` reads it all, merges it, checks the
 * site's rules and renders every host's templates.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Writes the inventory in a new temp folder; returns the inventory file. */
export function writeLargeInventory(webHosts: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-bench-inventory-'));
  const name = (i: number) => `web-${String(i).padStart(3, '0')}`;
  const lines = [
    'all:',
    '  children:',
    '    lb:',
    '      hosts:',
    '        lb-01:',
    '    web:',
    '      hosts:',
  ];
  for (let i = 1; i <= webHosts; i++) lines.push(`        ${name(i)}:`);
  fs.writeFileSync(path.join(dir, 'hosts.yml'), `${lines.join('\n')}\n`);
  const groupVars = path.join(dir, 'group_vars');
  const hostVars = path.join(dir, 'host_vars');
  fs.mkdirSync(groupVars);
  fs.mkdirSync(hostVars);
  fs.writeFileSync(
    path.join(groupVars, 'all.yml'),
    [
      'ssh_user: deploy',
      'become: yes',
      'domain: www.example.org',
      'mysql_flavor: mysql',
      'lb_tls: no',
      'mysql_tls: no',
      'firewall: no',
      'mysql_root_password: { env: BENCH_MYSQL_ROOT_PASSWORD }',
      'mysql_replication_password: { env: BENCH_MYSQL_REPLICATION_PASSWORD }',
      'mysql_app_password: { env: BENCH_MYSQL_APP_PASSWORD }',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(groupVars, 'web.yml'), 'web_port: 80\napp_port: 3000\n');
  fs.writeFileSync(path.join(hostVars, 'lb-01.yml'), 'address: 10.2.0.10\n');
  for (let i = 1; i <= webHosts; i++) {
    const role = i === 1 ? 'mysql_role: primary' : `mysql_role: replica\nmysql_source: ${name(1)}`;
    fs.writeFileSync(
      path.join(hostVars, `${name(i)}.yml`),
      `address: 10.1.${Math.floor(i / 250)}.${(i % 250) + 1}\n${role}\nserver_id: ${i}\n`,
    );
  }
  return path.join(dir, 'hosts.yml');
}
