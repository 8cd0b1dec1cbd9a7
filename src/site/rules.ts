import type { Diagnostic } from '../core/errors';
import { isIpAddress } from '../core/ip-family';
import { diagnosticAt, fieldName, type YamlSource } from '../core/yaml-source';
import { hostsOfGroup, type Host, type Inventory } from '../inventory/model';
import { isVaultRef } from '../inventory/secret-ref';
import {
  isBackupHost,
  isLb,
  isWeb,
  LB_GROUP,
  MONITOR_GROUP,
  monitorHosts,
  WEB_GROUP,
} from './roles';

export { LB_GROUP, WEB_GROUP } from './roles';

/** What every rule works with: the hosts, the inventory file, and where to report. */
interface RuleContext {
  inventory: Inventory;
  hosts: Host[];
  /** The inventory file's source (for what only it defines: groups, host entries). */
  source: YamlSource;
  out: Diagnostic[];
  /** The hosts with a database role (mysql_role other than none), and the primaries among them. */
  dbHosts: Host[];
  primaries: Host[];
  /** Reports at the definition of a host's variable, in whichever file it stands. */
  at(host: Host, variable: string, message: string): void;
}

/**
 * The site's rules beyond the schema, run by validate, apply and diff (never
 * by the loader: `inventory --list` is a neutral merge). Pure: the inventory
 * in, diagnostics out, each pointing at the definition that breaks the rule,
 * in whichever file it stands. `refused` names the variables whose value the
 * schema refused: no rule judges them (their error is already reported).
 */
export function checkRules(
  inventory: Inventory,
  refused: (host: Host, variable: string) => boolean = () => false,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const source = inventory.sources.get(inventory.file)!;
  const at = (host: Host, variable: string, message: string) => {
    // A variable whose value the schema refused is reported once, by the schema.
    if (refused(host, variable)) return;
    const origin = host.origins[variable];
    const file = origin ? inventory.sources.get(origin.file) : undefined;
    out.push(
      file
        ? diagnosticAt(file, origin!.path, message)
        : diagnosticAt(source, host.path, message, { key: true }),
    );
  };
  const hosts = [...inventory.hosts.values()];
  const dbHosts = hosts.filter((h) => h.vars.mysql_role !== 'none');
  const primaries = dbHosts.filter((h) => h.vars.mysql_role === 'primary');
  const ctx: RuleContext = { inventory, hosts, source, out, dbHosts, primaries, at };
  for (const rule of RULES) rule(ctx);
  return out;
}

/** Host names must not double as group names: patterns would be ambiguous. */
function namesAreNotGroups({ inventory, hosts, source, out }: RuleContext): void {
  for (const host of hosts) {
    if (inventory.groups.has(host.name)) {
      out.push(
        diagnosticAt(source, host.path, `"${host.name}" is both a host and a group`, { key: true }),
      );
    }
  }
}

/** Addresses (with port) are unique. */
function addressesAreUnique({ hosts, at }: RuleContext): void {
  const byAddress = new Map<string, Host>();
  for (const host of hosts) {
    const key = `${String(host.vars.address).toLowerCase()}:${String(host.vars.ssh_port)}`;
    const first = byAddress.get(key);
    if (first)
      at(
        host,
        'address',
        `address ${String(host.vars.address)} is already used by host ${first.name}`,
      );
    else byAddress.set(key, host);
  }
}

/** Exactly one primary, and every database host with a server_id of its own. */
function onePrimaryAndUniqueIds({ dbHosts, primaries, at }: RuleContext): void {
  if (dbHosts.length > 0 && primaries.length === 0) {
    at(dbHosts[0]!, 'mysql_role', 'no host has mysql_role: primary; exactly one primary is needed');
  }
  for (const extra of primaries.slice(1)) {
    at(
      extra,
      'mysql_role',
      `a second primary: ${primaries[0]!.name} is already the primary (exactly one is allowed)`,
    );
  }
  const serverIds = new Map<number, Host>();
  for (const host of dbHosts) {
    const id = host.vars.server_id as number | undefined;
    if (id === undefined) {
      at(host, 'server_id', `a database host needs a server_id (a unique number, 1 or more)`);
      continue;
    }
    const first = serverIds.get(id);
    if (first) at(host, 'server_id', `server_id ${id} is already used by host ${first.name}`);
    else serverIds.set(id, host);
  }
}

/** A replica's source is another database host of the inventory; only replicas have one. */
function replicasHaveSources({ inventory, dbHosts, primaries, at }: RuleContext): void {
  for (const host of dbHosts) {
    const source = host.vars.mysql_source as string | undefined;
    if (host.vars.mysql_role !== 'replica') {
      if (source !== undefined)
        at(
          host,
          'mysql_source',
          `mysql_source is only for replicas (this host's mysql_role is ${String(host.vars.mysql_role)})`,
        );
      continue;
    }
    if (source === undefined) {
      const hint = primaries.length === 1 ? ` (e.g. mysql_source: ${primaries[0]!.name})` : '';
      at(
        host,
        'mysql_source',
        `a replica needs a source: set mysql_source to its source host${hint}`,
      );
      continue;
    }
    const target = inventory.hosts.get(source);
    if (!target)
      at(host, 'mysql_source', `mysql_source "${source}" is not a host of this inventory`);
    else if (target === host) at(host, 'mysql_source', 'a replica cannot be its own source');
    else if (target.vars.mysql_role === 'none')
      at(
        host,
        'mysql_source',
        `mysql_source "${source}" is not a database host (its mysql_role is none)`,
      );
  }
}

/** The load balancers: a backend, a shared address when there are several, and never a web host too. */
function loadBalancersAreWhole({ inventory, source, out, at }: RuleContext): void {
  const lbs = inventory.groups.has(LB_GROUP) ? hostsOfGroup(inventory, LB_GROUP) : [];
  if (lbs.length === 0) return;
  const web = inventory.groups.get(WEB_GROUP);
  if (!web) {
    out.push(
      diagnosticAt(
        source,
        inventory.groups.get(LB_GROUP)!.path,
        `the load balancer has no backend: add a "${WEB_GROUP}" group with at least one host`,
        { key: true },
      ),
    );
  } else if (hostsOfGroup(inventory, WEB_GROUP).length === 0) {
    out.push(
      diagnosticAt(
        source,
        web.path,
        `the load balancer has no backend: group "${WEB_GROUP}" has no hosts`,
        { key: true },
      ),
    );
  }
  // Two or more load balancers share an address (keepalived).
  if (lbs.length > 1) {
    for (const lb of lbs) {
      const h = inventory.hosts.get(lb)!;
      for (const variable of ['lb_virtual_ip', 'lb_vrrp_interface']) {
        if (h.vars[variable] === undefined)
          at(
            h,
            variable,
            `${lbs.length} load balancers share one address: set lb_virtual_ip (the address users reach) and lb_vrrp_interface (the interface that carries it)`,
          );
      }
    }
  }
  for (const lb of lbs) {
    const both = inventory.hosts.get(lb)!;
    if (both.groups.includes(WEB_GROUP)) {
      out.push(
        diagnosticAt(source, both.path, `host ${lb} is in both "${LB_GROUP}" and "${WEB_GROUP}"`, {
          key: true,
        }),
      );
    }
  }
}

/** Security on by default: what HTTPS, the firewall and database TLS need. */
function securityHasItsInputs({ hosts, at }: RuleContext): void {
  const roleOf = (host: Host) => (isLb(host) ? LB_GROUP : isWeb(host) ? WEB_GROUP : '');
  const isIp = (v: unknown) => typeof v === 'string' && isIpAddress(v);
  for (const host of hosts) {
    const role = roleOf(host);
    const missing = (names: string[]) => names.filter((n) => host.vars[n] === undefined);
    if (role === LB_GROUP && host.vars.lb_tls === true) {
      const gone = missing(['lb_tls_certificate', 'lb_tls_key']);
      if (gone.length)
        at(
          host,
          gone[0]!,
          `HTTPS is on by default: set ${gone.join(' and ')} (file or env references to PEM files), or lb_tls: false to serve plain HTTP`,
        );
    }
    if (role !== '' && host.vars.firewall === true) {
      if (host.vars.firewall_admin_sources === undefined)
        at(
          host,
          'firewall_admin_sources',
          'the firewall is on by default: set firewall_admin_sources to the addresses or prefixes SSH may come from (include the machine that runs foobar-infra), or firewall: false',
        );
      // Other hosts' rules name this host by address: names cannot go in a ruleset.
      if (!isIp(host.vars.private_address))
        at(
          host,
          'private_address',
          `the firewall needs an IP address here, not the name ${String(host.vars.private_address)} (or set firewall: false)`,
        );
    }
    if (host.vars.mysql_role !== 'none' && host.vars.mysql_tls === true) {
      const gone = missing(['mysql_tls_certificate', 'mysql_tls_key']);
      if (gone.length)
        at(
          host,
          gone[0]!,
          `database TLS is on by default: set ${gone.join(' and ')} (references to this server's PEM certificate and key), or mysql_tls: false`,
        );
    }
  }
}

/** A vault reference reads the host's vault_file: reported once per definition. */
function vaultReferencesHaveAVault({ hosts, at }: RuleContext): void {
  const reported = new Set<string>();
  for (const host of hosts) {
    if (host.vars.vault_file !== undefined) continue;
    for (const [variable, value] of Object.entries(host.vars)) {
      if (!isVaultRef(value)) continue;
      const origin = where(host, variable);
      if (reported.has(origin)) continue;
      reported.add(origin);
      at(
        host,
        variable,
        `{ vault: ${value.vault} } needs a vault, and host ${host.name} has no vault_file: set it (a path relative to the inventory's folder) for the host or a group of it`,
      );
    }
  }
}

/** The rules, in the order their diagnostics are reported. */
/**
 * backup_host names a database host; with backups on, some host takes them
 * (a replica, or backup_host): a warning otherwise, since the site then runs
 * without backups.
 */
function backupsHaveAHost({ inventory, dbHosts, source, out, at }: RuleContext): void {
  const reported = new Set<string>();
  for (const host of dbHosts) {
    const chosen = host.vars.backup_host;
    // One report per definition (a group's variable is every member's).
    if (chosen === undefined || reported.has(where(host, 'backup_host'))) continue;
    reported.add(where(host, 'backup_host'));
    const target = inventory.hosts.get(String(chosen));
    if (!target)
      at(host, 'backup_host', `backup_host "${String(chosen)}" is not a host of this inventory`);
    else if (target.vars.mysql_role === 'none')
      at(
        host,
        'backup_host',
        `backup_host "${String(chosen)}" is not a database host (its mysql_role is none)`,
      );
  }
  const wanting = dbHosts.filter((h) => h.vars.backups === true);
  if (reported.size > 0 || wanting.length === 0 || dbHosts.some(isBackupHost)) return;
  const host = wanting[0]!;
  warnAt(
    { inventory, source, out },
    host,
    'backups',
    `backups is on, but no host takes them: there is no replica; set backup_host (e.g. backup_host: ${host.name}) or backups: false`,
  );
}

/** A warning at the definition of a host's variable, or at the host's entry when it has the default. */
function warnAt(
  { inventory, source, out }: Pick<RuleContext, 'inventory' | 'source' | 'out'>,
  host: Host,
  variable: string,
  message: string,
): void {
  const origin = host.origins[variable];
  const file = origin ? inventory.sources.get(origin.file) : undefined;
  out.push(
    file
      ? diagnosticAt(file, origin!.path, message, { severity: 'warning' })
      : diagnosticAt(source, host.path, message, { key: true, severity: 'warning' }),
  );
}

/**
 * With monitoring on, some host runs Prometheus (the monitor group's, or the
 * first load balancer); and backups copied to another host are encrypted
 * there: warnings, since the site then runs unwatched, or with its data in
 * clear on one more host.
 */
function watchAndCopies(ctx: RuleContext): void {
  const hosts = [...ctx.inventory.hosts.values()];
  const watched = hosts.find((h) => h.vars.monitoring === true);
  const firstLb = ctx.inventory.hosts.get(hostsOfGroup(ctx.inventory, LB_GROUP)[0] ?? '');
  const noGroup = !ctx.inventory.groups.has(MONITOR_GROUP);
  if (watched && monitorHosts(ctx.inventory).length === 0)
    warnAt(
      ctx,
      noGroup && firstLb ? firstLb : watched,
      'monitoring',
      !noGroup
        ? 'monitoring is on, but no host of the monitor group has it on: nobody runs Prometheus and the exporters are scraped by no one; add a host to the group, or set monitoring: false'
        : 'monitoring is on, but the first load balancer (where Prometheus runs without a monitor group) has monitoring: false or does not exist: nobody runs Prometheus; add a monitor group, or set monitoring: false',
    );
  const copying = ctx.dbHosts.find(
    (h) =>
      isBackupHost(h) &&
      h.vars.backup_copy_host !== undefined &&
      h.vars.backup_encryption_key === undefined,
  );
  if (copying)
    warnAt(
      ctx,
      copying,
      'backup_copy_host',
      `the backups of ${copying.name} are copied to ${String(copying.vars.backup_copy_host)} in clear: set backup_encryption_key so that the copy host never holds the data readable`,
    );
}

/**
 * backup_copy_host names a host of the inventory that does not take backups
 * itself: a copy on the host it copies is no copy.
 */
function backupCopyHostIsAnother({ inventory, at }: RuleContext): void {
  const reported = new Set<string>();
  for (const host of inventory.hosts.values()) {
    const chosen = host.vars.backup_copy_host;
    if (chosen === undefined || reported.has(where(host, 'backup_copy_host'))) continue;
    reported.add(where(host, 'backup_copy_host'));
    const target = inventory.hosts.get(String(chosen));
    if (!target)
      at(
        host,
        'backup_copy_host',
        `backup_copy_host "${String(chosen)}" is not a host of this inventory`,
      );
    else if (isBackupHost(target))
      at(
        host,
        'backup_copy_host',
        `backup_copy_host "${String(chosen)}" takes the backups itself: a copy must be on another host`,
      );
  }
}

const RULES: ((ctx: RuleContext) => void)[] = [
  namesAreNotGroups,
  addressesAreUnique,
  onePrimaryAndUniqueIds,
  replicasHaveSources,
  loadBalancersAreWhole,
  securityHasItsInputs,
  vaultReferencesHaveAVault,
  backupsHaveAHost,
  backupCopyHostIsAnother,
  watchAndCopies,
];

/** Where a variable's definition stands, as a key: one report per definition. */
function where(host: Host, variable: string): string {
  const origin = host.origins[variable];
  return origin ? `${origin.file}:${fieldName(origin.path)}` : fieldName(host.path);
}
