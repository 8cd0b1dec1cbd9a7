import type { FileFact } from '../facts/types';

/**
 * What a module's plan asks for. Pure data: the executor performs them, the
 * reporter prints them (redacting what is secret), dry-run stops before them.
 */
export type Change =
  | {
      kind: 'write';
      path: string;
      content: Buffer;
      mode: string;
      owner: string;
      group: string;
      /** Run on the candidate before the swap; %s is its path. */
      validate?: string;
      backup: boolean;
      /** The file as it is now (absent when new). */
      before: FileFact;
      /** Content holds secret values of the run (every output masks them). */
      secret: boolean;
      /** The content is never shown, not even masked; says what it is instead. */
      conceal?: string;
      /**
       * Loaded into the running system before it takes the destination's place
       * (a firewall ruleset): the host reverts it by itself unless the tool
       * confirms it over a new SSH connection within the time given.
       */
      activate?: Activation;
    }
  | {
      kind: 'attributes';
      path: string;
      mode?: string;
      owner?: string;
      group?: string;
      before: FileFact;
    }
  | { kind: 'mkdir'; path: string; mode: string; owner: string; group: string }
  | { kind: 'symlink'; path: string; target: string; before: FileFact }
  | { kind: 'remove'; path: string; before: FileFact }
  | { kind: 'packages'; install: string[]; remove: string[] }
  | { kind: 'service'; unit: string; action: ServiceAction }
  | {
      kind: 'command';
      argv?: string[];
      script?: string;
      chdir?: string;
      reason: string;
      /** Shown instead of the command text (a long script). */
      label?: string;
    }
  | {
      kind: 'sql';
      /** Run in order by the local admin (root over the socket), sent on stdin. */
      statements: string[];
      /** The same statements with every password replaced by '********': what is shown. */
      redacted: string[];
      reason: string;
    }
  | {
      /**
       * Data made on another host of the run and fed to a command here, e.g. a
       * consistent dump of the primary restored on a new replica. The runner
       * runs `exportScript` on `from` (over that host's one connection) and
       * fills `data`; `importScript` then reads it on stdin.
       */
      kind: 'transfer';
      from: string;
      exportScript: string;
      importScript: string;
      reason: string;
      data?: Buffer;
    }
  | {
      /**
       * What will happen depends on an earlier change that has not run (in a
       * dry run): e.g. the database server is not installed yet. In apply the
       * earlier change has run, so a deferred change is an error.
       */
      kind: 'deferred';
      reason: string;
    }
  | {
      kind: 'await-replica';
      /** The dialect's status query, e.g. SHOW REPLICA STATUS. */
      statusQuery: string;
      timeoutSeconds: number;
    };

export interface Activation {
  kind: 'nftables';
  revertAfterSeconds: number;
}

export type ServiceAction =
  'daemon-reload' | 'start' | 'stop' | 'restart' | 'reload' | 'enable' | 'disable';

/** A one-line description of a change, for progress and recaps. */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'write':
      return `${change.before.exists ? 'update' : 'create'} ${change.path}${change.activate ? ` (load it, then confirm over a new connection or it reverts in ${change.activate.revertAfterSeconds} s)` : ''}`;
    case 'attributes':
      return `set ${[change.mode && `mode ${change.mode}`, change.owner && `owner ${change.owner}`, change.group && `group ${change.group}`].filter(Boolean).join(', ')} on ${change.path}`;
    case 'mkdir':
      return `create directory ${change.path}`;
    case 'symlink':
      return `link ${change.path} -> ${change.target}`;
    case 'remove':
      return `remove ${change.path}`;
    case 'packages':
      return [
        change.install.length ? `install ${change.install.join(' ')}` : '',
        change.remove.length ? `remove ${change.remove.join(' ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
    case 'service':
      return change.action === 'daemon-reload'
        ? 'systemctl daemon-reload'
        : `${change.action} ${change.unit}`;
    case 'command':
      return `run ${commandText(change)} (${change.reason})`;
    case 'sql':
      return `${change.redacted.join('; ')} (${change.reason})`;
    case 'deferred':
      return change.reason;
    case 'transfer':
      return `${change.reason} (from ${change.from})`;
    case 'await-replica':
      return `wait until both replication threads run (up to ${change.timeoutSeconds} s)`;
  }
}

/** What a command change is called in output: its label, or its command text. */
export function commandText(change: Extract<Change, { kind: 'command' }>): string {
  return change.label ?? change.script ?? change.argv!.join(' ');
}
