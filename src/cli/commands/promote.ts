import * as fs from 'node:fs';
import * as path from 'node:path';
import { Refused, UsageError } from '../../core/errors';
import { unifiedDiff } from '../../core/unified-diff';
import { quote } from '../../core/shell';
import type { FactRequest } from '../../facts/types';
import type { HostDriver } from '../../engine/host-driver';
import { requireSiteProject } from '../site-project';
import { resolveSecrets } from '../../engine/secrets';
import { sessionOpener, type OpenSession } from '../../engine/sessions';
import type { RunResult } from '../../engine/runner';
import type { Inventory } from '../../inventory/model';
import type { VaultStore } from '../../vault/vault-store';
import { FactView } from '../../modules/fact-view';
import { READ_ONLY, REPLICA_STATUS, serverState, versionFact } from '../../modules/mysql-common';
import { parseReplicaStatus } from '../../mysql';
import { promotedInventory } from '../../site/promote/inventory-roles';
import { checkPromotable, waitQuery } from '../../site/promote/promote-check';
import { textReporter } from '../../report/text-reporter';
import type { Io } from '../io';
import { vaultStore, type VaultPasswordOptions } from '../vault-password';
import { applyExitCode } from './apply';
import { prepareRun } from './run-setup';

export interface PromoteOptions extends VaultPasswordOptions {
  host: string;
  inventory: string;
  playbook: string;
  force?: boolean;
  write?: boolean;
  /** Seconds to wait for the replica to apply what it received. */
  wait: string;
  forks: string;
  acceptNew?: boolean;
}

const APPLIED_POS = 'SELECT @@GLOBAL.gtid_slave_pos';
/** A status or wait command on a host takes at most this long, beyond the wait itself. */
const COMMAND_TIMEOUT_MS = 30_000;

/**
 * `promote HOST`: the primary is lost; its replica HOST becomes the primary.
 * 1. The new inventory (roles swapped) is computed and checked first.
 * 2. HOST's replication is read: refused when broken or lagging (unless
 *    --force), and when the old primary still answers (two primaries).
 * 3. HOST applies everything it received (waiting up to --wait seconds), then
 *    stops and forgets replication and becomes writable.
 * 4. The site is applied with the new roles (the old primary left out while
 *    it is down): the application's writes go to HOST.
 * 5. The inventory change is printed to commit, or written with --write.
 */
export async function runPromote(opts: PromoteOptions, io: Io): Promise<number> {
  const waitSeconds = Number(opts.wait);
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0)
    throw new UsageError(`--wait must be a whole number of seconds, got ${opts.wait}`);
  const project = requireSiteProject(opts.inventory, opts.playbook);
  const promotion = promotionOf(project.inventory, opts.host, opts.inventory);
  // 1. The inventory after the promotion, checked before anything changes.
  const staging = stageInventory(project.inventory, opts.host);
  let written = false;
  try {
    requireSiteProject(staging.staged, opts.playbook);
    // One store for both steps: each vault is decrypted once.
    const vaults = vaultStore(opts, io);
    const hosts = [...project.inventory.hosts.keys()];
    const secret = await resolveSecrets(project, hosts, io.redactor, vaults);
    const open = sessionOpener(project.inventory, secret, {
      acceptNew: opts.acceptNew ?? false,
      commandTimeoutMs: COMMAND_TIMEOUT_MS + waitSeconds * 1000,
    });
    await promoteReplica(open, opts, promotion, waitSeconds, io);
    const result = await applyNewRoles(staging.staged, opts, promotion.old, vaults, io);
    written = finishInventory(staging, opts, promotion.old, io);
    return applyExitCode(result);
  } finally {
    if (!written) fs.rmSync(staging.staged, { force: true });
  }
}

interface Promotion {
  /** The primary that is lost. */
  old: string;
  flavor: 'mysql' | 'mariadb';
}

/** HOST must be a replica of the inventory; its source is the primary that is lost. */
function promotionOf(inventory: Inventory, host: string, inventoryPath: string): Promotion {
  const target = inventory.hosts.get(host);
  if (!target) throw new UsageError(`${host} is not a host of ${inventoryPath}`);
  if (target.vars.mysql_role !== 'replica')
    throw new UsageError(
      `${host} is not a replica (mysql_role: ${String(target.vars.mysql_role)}): only a replica can be promoted`,
    );
  return {
    old: String(target.vars.mysql_source),
    flavor: target.vars.mysql_flavor === 'mariadb' ? 'mariadb' : 'mysql',
  };
}

interface Staging {
  file: string;
  before: string;
  after: string;
  /** The new inventory, beside the old one, until it is written or dropped. */
  staged: string;
}

function stageInventory(inventory: Inventory, host: string): Staging {
  const file = inventory.file;
  const before = fs.readFileSync(file, 'utf8');
  const after = promotedInventory(before, inventory, host);
  const staged = path.join(
    path.dirname(file),
    `.${path.basename(file, path.extname(file))}.promote-${process.pid}${path.extname(file)}`,
  );
  fs.writeFileSync(staged, after, { mode: fs.statSync(file).mode & 0o777 });
  return { file, before, after, staged };
}

/** Steps 2 and 3: read the replica and the old primary, then make the replica the primary. */
async function promoteReplica(
  open: OpenSession,
  opts: PromoteOptions,
  promotion: Promotion,
  waitSeconds: number,
  io: Io,
): Promise<void> {
  const replica = await open(opts.host);
  try {
    const { verdict, dialect } = await readReplica(replica, opts.host, promotion.flavor);
    const refusals: string[] = [];
    if (await answers(open, promotion.old))
      refusals.push(
        `the primary ${promotion.old} still answers: promoting ${opts.host} would make two primaries (stop ${promotion.old} first)`,
      );
    if (!verdict.ok) refusals.push(verdict.reason);
    if (refusals.length && !opts.force)
      throw new Refused(`${refusals.join('; ')}. Use --force to promote anyway.`);
    for (const r of refusals) io.err(`warning: ${r} (--force)`);
    if (verdict.ok && verdict.waitFor) await drain(replica, opts, verdict.waitFor, waitSeconds, io);
    if (verdict.ok && verdict.already) {
      io.out(
        `${opts.host} already is a primary (writable, no replication): finishing the promotion`,
      );
      return;
    }
    const statements = [
      dialect.stopReplica(),
      dialect.resetReplicaAll(),
      ...dialect.readOnly(false),
    ];
    await replica.execute(
      [{ kind: 'sql', statements, redacted: statements, reason: `promote ${opts.host}` }],
      {},
    );
    io.out(`${opts.host}: ${statements.join('; ')}`);
  } finally {
    await replica.close();
  }
}

/** The replica's server, replication and read-only state, and whether it can be promoted. */
async function readReplica(replica: HostDriver, host: string, flavor: Promotion['flavor']) {
  const requests: FactRequest[] = [
    versionFact(),
    { kind: 'sql', ...REPLICA_STATUS },
    { kind: 'sql', ...READ_ONLY },
    ...(flavor === 'mariadb' ? [{ kind: 'sql' as const, query: APPLIED_POS }] : []),
  ];
  const facts = new FactView((await replica.gather(requests)).facts);
  const server = serverState(facts, flavor);
  if (!server.up) throw new Refused(`the database on ${host} does not answer: ${server.reason}`);
  const raw = facts.sql(REPLICA_STATUS);
  const applied = flavor === 'mariadb' ? facts.sql({ query: APPLIED_POS }) : { ok: false as const };
  const readOnly = facts.sql(READ_ONLY);
  const verdict = checkPromotable(
    host,
    flavor,
    raw.ok ? parseReplicaStatus(raw.output) : undefined,
    applied.ok ? applied.output.trim() : undefined,
    readOnly.ok && readOnly.output.trim() === '0',
  );
  return { verdict, dialect: server.dialect };
}

/** Step 3's wait: the replica applies what it received, up to --wait seconds. */
async function drain(
  replica: HostDriver,
  opts: PromoteOptions,
  waitFor: Parameters<typeof waitQuery>[0],
  waitSeconds: number,
  io: Io,
): Promise<void> {
  io.out(`${opts.host}: applying what it received (up to ${waitSeconds} s)`);
  const out = (
    await replica.capture(
      `mysql --batch --skip-column-names -e ${quote(waitQuery(waitFor, waitSeconds))}`,
    )
  )
    .toString('utf8')
    .trim();
  if (out === '0') return;
  const why = `${opts.host} did not apply everything it received within ${waitSeconds} s`;
  if (!opts.force) throw new Refused(`${why}. Use --force to promote anyway.`);
  io.err(`warning: ${why} (--force)`);
}

/** Step 4: the site with the new roles; the old primary waits until it is back. */
async function applyNewRoles(
  staged: string,
  opts: PromoteOptions,
  old: string,
  vaults: VaultStore,
  io: Io,
): Promise<RunResult> {
  io.out(
    `applying the site with ${opts.host} as the primary (${old} left out): the application's writes go to it`,
  );
  const setup = await prepareRun(
    {
      inventory: staged,
      playbook: opts.playbook,
      forks: opts.forks,
      acceptNew: opts.acceptNew,
      limit: `all:!${old}`,
    },
    io,
    { command: `promote ${opts.host}`, mode: 'exclusive' },
    vaults,
  );
  return setup.run({
    emit: textReporter({ color: io.color, verbosity: 0, out: (line) => io.out(line) }),
    check: false,
    diff: false,
  });
}

/** Step 5: the inventory change written (--write) or printed to commit; true when written. */
function finishInventory(staging: Staging, opts: PromoteOptions, old: string, io: Io): boolean {
  const { file } = staging;
  if (opts.write) {
    fs.renameSync(staging.staged, file);
    io.out(`\n${file}: written (${opts.host} primary, ${old} its replica); commit it`);
  } else {
    io.out(`\nCommit this change to ${file} (or run again with --write):`);
    io.out(unifiedDiff(staging.before, staging.after, file, file).trimEnd());
  }
  io.out(
    `When ${old} is back, run apply: it becomes a replica of ${opts.host}, never a second primary.`,
  );
  return opts.write === true;
}

/** True when the host's database answers (the host may be down: then false). */
async function answers(open: OpenSession, host: string): Promise<boolean> {
  let driver: HostDriver | undefined;
  try {
    driver = await open(host);
    const { facts } = await driver.gather([{ kind: 'sql', query: 'SELECT 1' }]);
    return new FactView(facts).sql({ query: 'SELECT 1' }).ok;
  } catch {
    return false;
  } finally {
    await driver?.close().catch(() => undefined);
  }
}
