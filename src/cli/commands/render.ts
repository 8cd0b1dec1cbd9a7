import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import { renderedProject } from './rendered-project';

export interface RenderOptions {
  inventory: string;
  playbook: string;
  out: string;
  limit?: string;
}

/**
 * Writes every file each host would receive to OUT/<host>/<absolute path>.
 * No SSH. Secret values are written as ******** so the folder is safe to keep
 * as a CI artefact. Nothing is written unless every file rendered.
 */
export async function runRender(opts: RenderOptions, io: Io): Promise<number> {
  const { files: hosts } = renderedProject(opts);

  // Write into a fresh sibling folder, then swap it in: never a half-written output.
  const out = path.resolve(opts.out);
  const staging = `${out}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  let count = 0;
  try {
    for (const { host, files } of hosts) {
      for (const file of files) {
        const target = path.join(staging, host, file.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.content);
        count++;
      }
      fs.mkdirSync(path.join(staging, host), { recursive: true });
    }
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(staging, out);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  io.out(
    `rendered ${count} file${count === 1 ? '' : 's'} for ${hosts.length} host${hosts.length === 1 ? '' : 's'} into ${opts.out}`,
  );
  return ExitCode.OK;
}
