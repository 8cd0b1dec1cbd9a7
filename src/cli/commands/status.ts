import { UsageError } from '../../core/errors';
import type { HostDriver } from '../../engine/host-driver';
import { runPool } from '../../engine/pool';
import { requireSiteProject } from '../site-project';
import { resolveSecrets } from '../../engine/secrets';
import { sessionOpener } from '../../engine/sessions';
import { FactView } from '../../modules/fact-view';
import { painter } from '../../report/text-reporter';
import {
  siteStatus,
  statusExitCode,
  statusRequests,
  type HostAnswer,
  type SiteStatus,
} from '../../site/status/site-health';
import { statusText } from '../../site/status/status-text';
import { gracefulInterrupt } from '../interrupt';
import type { Io } from '../io';
import { vaultStore, type VaultPasswordOptions } from '../vault-password';

export interface StatusOptions extends VaultPasswordOptions {
  inventory: string;
  /** The site's playbook (its play variables are part of the hosts' variables). */
  playbook: string;
  format: 'text' | 'json';
  /** Seconds between refreshes; absent: once. */
  watch?: string | boolean;
  acceptNew?: boolean;
}

/** One status command may take this long on a host (it reads; it never waits on a lock). */
const STATUS_TIMEOUT_MS = 15_000;

/**
 * `status`: a read-only health view of the site, one round trip per host (no
 * run lock: it must answer while an apply runs). Exit 0 healthy, 1 degraded,
 * 2 down.
 */
export async function runStatus(opts: StatusOptions, io: Io): Promise<number> {
  const every =
    opts.watch === undefined || opts.watch === false
      ? 0
      : Number(opts.watch === true ? 2 : opts.watch);
  if (!Number.isFinite(every) || every < 0)
    throw new UsageError(`--watch takes a number of seconds, got ${String(opts.watch)}`);
  const project = requireSiteProject(opts.inventory, opts.playbook);
  const inventory = project.inventory;
  const hosts = [...inventory.hosts.keys()];
  const secret = await resolveSecrets(project, hosts, io.redactor, vaultStore(opts, io));
  const open = sessionOpener(inventory, secret, {
    acceptNew: opts.acceptNew ?? false,
    commandTimeoutMs: STATUS_TIMEOUT_MS,
  });
  const drivers = new Map<string, HostDriver>();

  const ask = async (host: string): Promise<HostAnswer> => {
    try {
      let driver = drivers.get(host);
      if (!driver) {
        driver = await open(host);
        drivers.set(host, driver);
      }
      const { facts } = await driver.gather(statusRequests(inventory, host));
      return { ok: true, facts: new FactView(facts) };
    } catch (error) {
      // A connection that failed is opened afresh next time (--watch).
      await drivers
        .get(host)
        ?.close()
        .catch(() => undefined);
      drivers.delete(host);
      return { ok: false, error: (error as Error).message };
    }
  };

  const once = async (): Promise<SiteStatus> => {
    const answers = new Map<string, HostAnswer>();
    await runPool(hosts, 20, async (host) => {
      answers.set(host, await ask(host));
    });
    return siteStatus(inventory, answers);
  };

  const show = (status: SiteStatus) => {
    if (opts.format === 'json') io.out(JSON.stringify({ version: 1, ...status }, null, 2));
    else {
      if (every > 0 && io.isTty) io.out('\x1b[2J\x1b[H');
      if (every > 0) io.out(`every ${every} s, Ctrl-C to stop: ${new Date().toISOString()}`);
      for (const line of statusText(status, painter(io.color))) io.out(line);
    }
  };

  const interrupt = every > 0 ? gracefulInterrupt(io) : undefined;
  try {
    let status = await once();
    show(status);
    while (every > 0 && !interrupt!.signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, every * 1000);
        interrupt!.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (interrupt!.signal.aborted) break;
      status = await once();
      show(status);
    }
    return statusExitCode(status.verdict);
  } finally {
    interrupt?.dispose();
    await Promise.all([...drivers.values()].map((d) => d.close().catch(() => undefined)));
  }
}
