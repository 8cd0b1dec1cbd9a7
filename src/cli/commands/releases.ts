import { UsageError } from '../../core/errors';
import type { HostDriver } from '../../engine/host-driver';
import { runPool } from '../../engine/pool';
import { releaseDirs } from '../../engine/release-dirs';
import { resolveSecrets } from '../../engine/secrets';
import { sessionOpener } from '../../engine/sessions';
import { FactView } from '../../modules/fact-view';
import { releaseRows, releasesText, type ReleasesAnswer } from '../../report/releases-text';
import { requireSiteProject } from '../site-project';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import { vaultStore, type VaultPasswordOptions } from '../vault-password';

export interface ReleasesOptions extends VaultPasswordOptions {
  inventory: string;
  playbook: string;
  limit?: string;
  format: 'text' | 'json';
  acceptNew?: boolean;
}

/** Reading a folder's releases is one short command. */
const READ_TIMEOUT_MS = 15_000;

/**
 * `releases`: each host's releases of every `release` task of the playbook,
 * read-only (no run lock, like status): which one is current, which one a
 * rollback would go back to, when each was made, and which were cut off.
 * Exit 0 when every host answered, 4 (unreachable) otherwise.
 */
export async function runReleases(opts: ReleasesOptions, io: Io): Promise<number> {
  const project = requireSiteProject(opts.inventory, opts.playbook);
  const hosts = [...project.inventory.hosts.keys()];
  const secret = await resolveSecrets(project, hosts, io.redactor, vaultStore(opts, io));
  const dirs = releaseDirs(project, secret, opts.limit);
  if (dirs.length === 0)
    throw new UsageError(
      `${opts.playbook} deploys no release${opts.limit ? ` to the hosts of --limit ${opts.limit}` : ''} (no release task)`,
    );
  const open = sessionOpener(project.inventory, secret, {
    acceptNew: opts.acceptNew ?? false,
    commandTimeoutMs: READ_TIMEOUT_MS,
  });
  const answers = new Map<string, ReleasesAnswer[]>();
  const byHost = new Map<string, typeof dirs>();
  for (const d of dirs) byHost.set(d.host, [...(byHost.get(d.host) ?? []), d]);
  await runPool([...byHost.keys()], 20, async (host) => {
    const asked = byHost.get(host)!;
    let driver: HostDriver | undefined;
    try {
      driver = await open(host);
      const { facts } = await driver.gather(asked.map((d) => ({ kind: 'releases', dir: d.dir })));
      const view = new FactView(facts);
      answers.set(
        host,
        asked.map((d) => ({ host, dir: d.dir, ok: true, fact: view.releases(d.dir) })),
      );
    } catch (error) {
      const message = (error as Error).message;
      answers.set(
        host,
        asked.map((d) => ({ host, dir: d.dir, ok: false, error: message })),
      );
    } finally {
      await driver?.close().catch(() => undefined);
    }
  });
  const all = [...byHost.keys()].flatMap((h) => answers.get(h) ?? []);
  if (opts.format === 'json') io.out(JSON.stringify(all.map(jsonOf), null, 2));
  else for (const line of releasesText(all)) io.out(line);
  return all.every((a) => a.ok) ? ExitCode.OK : ExitCode.HOST_UNREACHABLE;
}

function jsonOf(a: ReleasesAnswer): object {
  if (!a.ok) return { host: a.host, dir: a.dir, error: a.error };
  return { host: a.host, dir: a.dir, current: a.fact.current, releases: releaseRows(a.fact) };
}
