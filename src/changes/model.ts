/**
 * The changes a module's plan asks for, as data. Each kind's behaviour (its
 * description, its shell, its simulation and its plan entry) is in a file of
 * its own under kinds/, joined by the registry in kinds/index.ts.
 */
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
  | {
      kind: 'symlink';
      path: string;
      target: string;
      before: FileFact;
      /** What the switch means, shown after it ("release abc → def, files changed: ..."). */
      label?: string;
    }
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

export type ChangeKindName = Change['kind'];
export type ChangeOf<K extends ChangeKindName> = Extract<Change, { kind: K }>;
