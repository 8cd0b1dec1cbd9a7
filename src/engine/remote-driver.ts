import { CommandFailed } from '../core/errors';
import { quote } from '../facts/shell';
import { parseFacts } from '../facts/parse';
import { gatherScript } from '../facts/script';
import type { FactRequest } from '../facts/types';
import type { Change } from '../modules/changes';
import type { Connection } from '../transport/types';
import { changeScript, VALIDATION_FAILED } from './change-script';
import { PENDING_FILE, parsePending, type PendingHandler } from './handler-state';
import { ChangeFailed, type Gathered, type HostDriver } from './host-driver';

const PENDING_MARK = '@@foobar-pending@@';

/** A HostDriver over one SSH connection: every operation is one remote command. */
export class RemoteDriver implements HostDriver {
  constructor(
    private readonly connection: Connection,
    private readonly commandTimeoutMs: number,
  ) {}

  get host(): string {
    return this.connection.host;
  }
  get commands(): number {
    return this.connection.stats.commands;
  }
  get connections(): number {
    return this.connection.stats.connections;
  }

  async gather(requests: readonly FactRequest[]): Promise<Gathered> {
    const script = `${gatherScript(requests)}printf '%s\\n' ${PENDING_MARK}\ncat ${quote(PENDING_FILE)} 2>/dev/null\ntrue\n`;
    const r = await this.connection.exec(script, { timeoutMs: this.commandTimeoutMs });
    const out = r.stdout.toString('utf8');
    if (r.code !== 0)
      throw new CommandFailed(this.host, 'gather facts', r.code, r.stderr.toString('utf8').trim());
    const at = out.lastIndexOf(`${PENDING_MARK}\n`);
    if (at < 0)
      throw new CommandFailed(this.host, 'gather facts', r.code, 'the fact script was cut short');
    return {
      facts: parseFacts(requests, out.slice(0, at)),
      pending: parsePending(out.slice(at + PENDING_MARK.length + 1)),
    };
  }

  async execute(
    changes: readonly Change[],
    options: { record?: PendingHandler[]; clear?: PendingHandler[] },
  ): Promise<void> {
    const { script, stdin } = changeScript(changes, options);
    const r = await this.connection.exec(script, { stdin, timeoutMs: this.commandTimeoutMs });
    if (r.code === 0) return;
    const stderr = r.stderr.toString('utf8').trim();
    throw new ChangeFailed(
      stderr || `exit ${r.code ?? r.signal}`,
      r.code,
      r.code === VALIDATION_FAILED,
    );
  }

  async capture(script: string): Promise<Buffer> {
    const r = await this.connection.exec(script, { timeoutMs: this.commandTimeoutMs });
    if (r.code !== 0)
      throw new CommandFailed(
        this.host,
        'export',
        r.code,
        r.stderr.toString('utf8').trim().slice(-2000),
      );
    return r.stdout;
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    const r = await this.connection.exec(
      `if [ -f ${quote(path)} ]; then cat -- ${quote(path)}; else exit 3; fi`,
      {
        timeoutMs: this.commandTimeoutMs,
      },
    );
    if (r.code === 3) return undefined;
    if (r.code !== 0)
      throw new CommandFailed(this.host, `read ${path}`, r.code, r.stderr.toString('utf8').trim());
    return r.stdout;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
