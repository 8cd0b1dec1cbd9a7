import * as fs from 'node:fs';
import * as path from 'node:path';
import { Refused, UsageError } from '../../core/errors';
import { unifiedDiff } from '../../core/unified-diff';
import { quote } from '../../core/shell';
import type { FactRequest } from '../../facts/types';
import type { HostDriver } from '../../engine/host-driver';
import { requireProject } from '../../engine/project';
import { RemoteDriver } from '../../engine/remote-driver';
import { resolveSecrets } from '../../engine/secrets';
import { connectTarget } from '../../engine/targets';
import { FactView } from '../../modules/fact-view';
import { READ_ONLY, REPLICA_STATUS, serverState, versionFact } from '../../modules/mysql-common';
import { parseReplicaStatus } from '../../mysql';
import { promotedInventory } from '../../promote/inventory-roles';
import { checkPromotable, waitQuery } from '../../promote/promote-check';
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
  const project = requireProject(opts.inventory, opts.playbook);
  const inventory = project.inventory;
  const target = inventory.hosts.get(opts.host);
  if (!target) throw new UsageError(`${opts.host} is not a host of ${opts.inventory}`);
  if (target.vars.mysql_role !== 'replica')
    throw new UsageError(
      `${opts.host} is not a replica (mysql_role: ${String(target.vars.mysql_role)}): only a replica can be promoted`,
    );
  const old = String(target.vars.mysql_source);
  const flavor = target.vars.mysql_flavor === 'mariadb' ? 'mariadb' : 'mysql';

  // 1. The inventory after the promotion, checked before anything changes.
  const file = inventory.file;
  const before = fs.readFileSync(file, 'utf8');
  const after = promotedInventory(before, inventory, opts.host);
  const staged = path.join(
    path.dirname(file),
    `.${path.basename(file, path.extname(file))}.promote-${process.pid}${path.extname(file)}`,
  );
  fs.writeFileSync(staged, after, { mode: fs.statSync(file).mode & 0o777 });
  let keepStaged = false;
  try {
    requireProject(staged, opts.playbook);

    // 2. What the replica (and the old primary, if it answers) say.
    const hosts = [...inventory.hosts.keys()];
    // One store for both steps: each vault is decrypted once.
    const vaults = vaultStore(opts, io);
    const secret = await resolveSecrets(project, hosts, io.redactor, vaults);
    const transport = (await import('../../transport')).sshTransport();
    const open = async (host: string): Promise<HostDriver> =>
      new RemoteDriver(
        await transport.connect(
          connectTarget(inventory, host, { acceptNew: opts.acceptNew ?? false, secret }),
        ),
        COMMAND_TIMEOUT_MS + waitSeconds * 1000,
      );
    const replica = await open(opts.host);
    try {
      const requests: FactRequest[] = [
        versionFact(),
        { kind: 'sql', ...REPLICA_STATUS },
        { kind: 'sql', ...READ_ONLY },
        ...(flavor === 'mariadb' ? [{ kind: 'sql' as const, query: APPLIED_POS }] : []),
      ];
      const facts = new FactView((await replica.gather(requests)).facts);
      const server = serverState(facts, flavor);
      if (!server.up)
        throw new Refused(`the database on ${opts.host} does not answer: ${server.reason}`);
      const raw = facts.sql(REPLICA_STATUS);
      const status = raw.ok ? parseReplicaStatus(raw.output) : undefined;
      const applied =
        flavor === 'mariadb' ? facts.sql({ query: APPLIED_POS }) : { ok: false as const };
      const verdict = checkPromotable(
        opts.host,
        flavor,
        status,
        applied.ok ? applied.output.trim() : undefined,
        (() => {
          const ro = facts.sql(READ_ONLY);
          return ro.ok && ro.output.trim() === '0';
        })(),
      );

      const oldAlive = await answers(open, old);
      const refusals: string[] = [];
      if (oldAlive)
        refusals.push(
          `the primary ${old} still answers: promoting ${opts.host} would make two primaries (stop ${old} first)`,
        );
      if (!verdict.ok) refusals.push(verdict.reason);
      if (refusals.length && !opts.force)
        throw new Refused(`${refusals.join('; ')}. Use --force to promote anyway.`);
      for (const r of refusals) io.err(`warning: ${r} (--force)`);

      // 3. Everything received is applied, then replication goes and writes come in.
      if (verdict.ok && verdict.waitFor) {
        io.out(`${opts.host}: applying what it received (up to ${waitSeconds} s)`);
        const out = (
          await replica.capture(
            `mysql --batch --skip-column-names -e ${quote(waitQuery(verdict.waitFor, waitSeconds))}`,
          )
        )
          .toString('utf8')
          .trim();
        if (out !== '0') {
          const why = `${opts.host} did not apply everything it received within ${waitSeconds} s`;
          if (!opts.force) throw new Refused(`${why}. Use --force to promote anyway.`);
          io.err(`warning: ${why} (--force)`);
        }
      }
      if (verdict.ok && verdict.already) {
        io.out(
          `${opts.host} already is a primary (writable, no replication): finishing the promotion`,
        );
      } else {
        const d = server.dialect;
        const statements = [d.stopReplica(), d.resetReplicaAll(), ...d.readOnly(false)];
        await replica.execute(
          [{ kind: 'sql', statements, redacted: statements, reason: `promote ${opts.host}` }],
          {},
        );
        io.out(`${opts.host}: ${statements.join('; ')}`);
      }
    } finally {
      await replica.close();
    }

    // 4. The site with the new roles; the old primary waits until it is back.
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
    const result = await setup.run({
      emit: textReporter({ color: io.color, verbosity: 0, out: (line) => io.out(line) }),
      check: false,
      diff: false,
    });

    // 5. The inventory change.
    if (opts.write) {
      fs.renameSync(staged, file);
      keepStaged = true;
      io.out(`\n${file}: written (${opts.host} primary, ${old} its replica); commit it`);
    } else {
      io.out(`\nCommit this change to ${file} (or run again with --write):`);
      io.out(unifiedDiff(before, after, file, file).trimEnd());
    }
    io.out(
      `When ${old} is back, run apply: it becomes a replica of ${opts.host}, never a second primary.`,
    );
    return applyExitCode(result);
  } finally {
    if (!keepStaged) fs.rmSync(staged, { force: true });
  }
}

/** True when the host's database answers (the host may be down: then false). */
async function answers(
  open: (host: string) => Promise<HostDriver>,
  host: string,
): Promise<boolean> {
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
