import { createHash } from 'node:crypto';
import type { FileFact } from '../facts/types';
import type { Change } from '../changes/model';
import { PlanError } from './plan-error';

export interface WantedFile {
  path: string;
  content: Buffer;
  mode?: string;
  owner?: string;
  group?: string;
  validate?: string;
  backup?: boolean;
  secret?: boolean;
}

const hashes = new WeakMap<Buffer, string>();

/**
 * The SHA-256 of a file's content, once per Buffer: a code base read once
 * (local-file.ts keeps it) is hashed once per run, not once per host.
 */
export function sha256(data: Buffer): string {
  let hash = hashes.get(data);
  if (hash === undefined) {
    hash = createHash('sha256').update(data).digest('hex');
    hashes.set(data, hash);
  }
  return hash;
}

/** Normalises "644" and "0644" to "0644". */
export const normalMode = (mode: string) => mode.padStart(4, '0');

/**
 * The shared core of template and copy: write when the content differs (or
 * the file is new), else fix only the attributes that differ, else nothing.
 */
export function planFile(want: WantedFile, now: FileFact): Change[] {
  // A file renamed over a folder would land inside it, run after run; and the
  // folder, with whatever it holds, is not the tool's to remove.
  if (now.exists && now.type === 'directory')
    throw new PlanError(
      `${want.path} is a folder: a file cannot take its place. Remove or move it by hand, or choose another path.`,
    );
  const owner = want.owner ?? (now.exists ? now.owner! : 'root');
  const group = want.group ?? (now.exists ? now.group! : 'root');
  const mode = want.mode ? normalMode(want.mode) : now.exists && now.mode ? now.mode : '0644';
  if (!now.exists || now.type !== 'file' || now.sha256 !== sha256(want.content)) {
    return [
      {
        kind: 'write',
        path: want.path,
        content: want.content,
        mode,
        owner,
        group,
        validate: want.validate,
        backup: want.backup ?? false,
        before: now,
        secret: want.secret ?? false,
      },
    ];
  }
  return planAttributes(want.path, { mode: want.mode, owner: want.owner, group: want.group }, now);
}

export function planAttributes(
  path: string,
  want: { mode?: string; owner?: string; group?: string },
  now: FileFact,
): Change[] {
  const mode = want.mode && normalMode(want.mode) !== now.mode ? normalMode(want.mode) : undefined;
  const owner = want.owner && want.owner !== now.owner ? want.owner : undefined;
  const group = want.group && want.group !== now.group ? want.group : undefined;
  if (!mode && !owner && !group) return [];
  return [{ kind: 'attributes', path, mode, owner, group, before: now }];
}
