import { FoobarError } from '../core/errors';

export type Flavor = 'mysql' | 'mariadb';

/** A server's version, read from `SELECT VERSION(), @@version_comment`. */
export interface ServerVersion {
  flavor: Flavor;
  major: number;
  minor: number;
  patch: number;
  /** VERSION() as the server gave it, e.g. `8.0.36-0ubuntu0.22.04.1` or `10.11.6-MariaDB-0+deb12u1`. */
  raw: string;
}

/**
 * The oldest release of each flavour the dialects know how to drive: MySQL 5.7
 * (GTID auto-positioning, `super_read_only` from 5.7.8, `CREATE USER IF NOT EXISTS`)
 * and MariaDB 10.3 (GTID replication with `MASTER_USE_GTID`, `CREATE USER IF NOT EXISTS`).
 */
export const MINIMUM_VERSION: Readonly<Record<Flavor, readonly [number, number]>> = {
  mysql: [5, 7],
  mariadb: [10, 3],
};

const FLAVOR_NAME: Readonly<Record<Flavor, string>> = { mysql: 'MySQL', mariadb: 'MariaDB' };

/** The server is older than the minimum, or its version cannot be read at all. */
export class UnsupportedServerVersion extends FoobarError {
  readonly kind = 'unsupported';
  constructor(
    readonly version: string,
    message: string,
  ) {
    super(message);
  }
}

/** `MySQL 9.7.4`, `MariaDB 10.11.6`. */
export function describeVersion(v: ServerVersion): string {
  return `${FLAVOR_NAME[v.flavor]} ${v.major}.${v.minor}.${v.patch}`;
}

/**
 * Reads VERSION() and @@version_comment. MariaDB always says so in VERSION()
 * (`10.11.6-MariaDB-0+deb12u1`); the comment is a second chance for builds that
 * strip the suffix. Some MariaDB clients and proxies report the `5.5.5-` prefix
 * of the wire handshake (`5.5.5-10.11.6-MariaDB`): it is skipped. Everything
 * else (Oracle, Debian and Ubuntu builds, Percona Server) is MySQL.
 */
export function parseServerVersion(version: string, versionComment = ''): ServerVersion {
  const raw = version.trim();
  const flavor: Flavor =
    /mariadb/i.test(raw) || /mariadb/i.test(versionComment) ? 'mariadb' : 'mysql';
  const numbers = flavor === 'mariadb' ? raw.replace(/^5\.5\.5-/, '') : raw;
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(numbers);
  if (!m) {
    throw new UnsupportedServerVersion(
      raw,
      `cannot read a server version from VERSION() = ${JSON.stringify(raw)}`,
    );
  }
  const v: ServerVersion = {
    flavor,
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: m[3] === undefined ? 0 : Number(m[3]),
    raw,
  };
  const [minMajor, minMinor] = MINIMUM_VERSION[flavor];
  if (!atLeast(v, minMajor, minMinor, 0)) {
    throw new UnsupportedServerVersion(
      raw,
      `${describeVersion(v)} (${raw}) is not supported: the minimum is ${FLAVOR_NAME[flavor]} ${minMajor}.${minMinor}`,
    );
  }
  return v;
}

/** True when `v` is `major.minor.patch` or later. */
export function atLeast(v: ServerVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}
