import { UsageError } from '../core/errors';

/** The two database flavours a lab can run. */
export type Flavor = 'mysql' | 'mariadb';

export const FLAVOR_NAMES: readonly Flavor[] = ['mysql', 'mariadb'];

export interface FlavorSpec {
  flavor: Flavor;
  /** The Debian suite of the image: only sid carries MySQL 9.x; trixie (Debian 13, stable) has MariaDB 11.8. */
  suite: 'sid' | 'trixie';
  /** Server and client packages of the database. */
  dbPackages: readonly string[];
  /**
   * sid's systemd refuses cgroup v1; on a machine with hybrid cgroups, systemd-nspawn
   * must then give the host a unified (cgroup v2) hierarchy.
   */
  unifiedCgroupHierarchy: boolean;
  description: string;
}

export const FLAVORS: Readonly<Record<Flavor, FlavorSpec>> = {
  mysql: {
    flavor: 'mysql',
    suite: 'sid',
    dbPackages: ['mysql-server', 'mysql-client'],
    unifiedCgroupHierarchy: true,
    description: 'Debian sid: MySQL 9.x, HAProxy 3.2, nginx 1.30',
  },
  mariadb: {
    flavor: 'mariadb',
    suite: 'trixie',
    dbPackages: ['mariadb-server', 'mariadb-client'],
    // systemd 257 no longer runs on cgroup v1.
    unifiedCgroupHierarchy: true,
    description: 'Debian trixie (13, stable): MariaDB 11.8',
  },
};

export function parseFlavor(value: string | undefined): Flavor {
  if (value === undefined) return 'mysql';
  const flavor = FLAVOR_NAMES.find((f) => f === value);
  if (!flavor) {
    throw new UsageError(`unknown lab flavour "${value}": use one of ${FLAVOR_NAMES.join(', ')}`);
  }
  return flavor;
}
