import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALIASES } from '../../src/inventory/variables';

/**
 * Runs Debian's ansible-inventory (package ansible-core) as the reference
 * peer: from an empty folder, with an empty configuration, so that neither
 * the working folder's group_vars/ nor a user's ansible.cfg takes part.
 */
export class AnsibleInventory {
  private readonly home = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-ansible-'));

  /** The version line, or undefined when ansible-inventory is not installed. */
  version(): string | undefined {
    const r = this.run(['--version']);
    return r.status === 0 ? r.stdout.split('\n')[0] : undefined;
  }

  /** `ansible-inventory -i INVENTORY --playbook-dir DIR MODE`; throws with its stderr on failure. */
  query(inventory: string, playbookDir: string, mode: '--list' | '--graph'): string {
    const r = this.run(['-i', inventory, '--playbook-dir', playbookDir, mode]);
    if (r.status !== 0) throw new Error(`ansible-inventory failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  private run(args: string[]) {
    const config = path.join(this.home, 'ansible.cfg');
    if (!fs.existsSync(config)) fs.writeFileSync(config, '');
    return spawnSync('ansible-inventory', args, {
      cwd: this.home,
      encoding: 'utf8',
      env: {
        ...process.env,
        ANSIBLE_CONFIG: config,
        ANSIBLE_HOME: path.join(this.home, 'home'),
        ANSIBLE_LOCAL_TEMP: path.join(this.home, 'tmp'),
        ANSIBLE_NOCOLOR: '1',
      },
    });
  }
}

export interface Listing {
  hostvars: Record<string, Record<string, unknown>>;
  groups: Record<string, { hosts: string[]; children: string[] }>;
}

/**
 * An `--list` document reduced to what is compared: every host's variables
 * (Ansible's connection names mapped to the tool's with `aliases`) and every
 * group's hosts and children.
 */
export function listing(json: string, aliases = false): Listing {
  const data = JSON.parse(json) as Record<string, unknown>;
  const meta = data._meta as { hostvars: Record<string, Record<string, unknown>> };
  const out: Listing = { hostvars: {}, groups: {} };
  for (const [host, vars] of Object.entries(meta.hostvars)) {
    out.hostvars[host] = Object.fromEntries(
      Object.entries(vars).map(([k, v]) => [aliases ? (ALIASES[k] ?? k) : k, v]),
    );
  }
  for (const [name, value] of Object.entries(data)) {
    if (name === '_meta') continue;
    const group = value as { hosts?: string[]; children?: string[] };
    out.groups[name] = { hosts: group.hosts ?? [], children: group.children ?? [] };
  }
  return out;
}
