import * as path from 'node:path';
import type { Inventory } from '../inventory/model';
import { inventoryDir } from '../inventory/load';
import type { SecretRef } from '../inventory/secret-ref';
import type { SecretValue } from '../render/context';
import type { ConnectTarget } from '../transport/types';

/** The SSH target of an inventory host. Paths are relative to the inventory. */
export function connectTarget(
  inventory: Inventory,
  host: string,
  options: { acceptNew: boolean; secret: SecretValue },
): ConnectTarget {
  const h = inventory.hosts.get(host)!;
  const v = h.vars;
  const base = inventoryDir(inventory);
  const local = (p: unknown) =>
    typeof p === 'string'
      ? path.resolve(base, p.replace(/^~(?=\/)/, process.env.HOME ?? '~'))
      : undefined;
  return {
    host,
    address: String(v.address),
    port: Number(v.ssh_port),
    user: String(v.ssh_user),
    keyFile: local(v.ssh_key),
    knownHostsFile: local(v.ssh_known_hosts),
    acceptNew: options.acceptNew,
    connectTimeoutMs: Number(v.ssh_connect_timeout) * 1000,
    proxyJump: typeof v.ssh_proxy_jump === 'string' ? v.ssh_proxy_jump : undefined,
    become: v.become === true,
    becomePassword: v.become_password
      ? options.secret(v.become_password as SecretRef, 'become_password', host)
      : undefined,
    defaulted: {
      address: h.origins.address === undefined,
      port: h.origins.ssh_port === undefined,
      user: h.origins.ssh_user === undefined,
    },
  };
}
