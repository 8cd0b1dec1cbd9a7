import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode } from '../exit-codes';
import type { Io } from '../io';
import { renderedProject } from './rendered-project';
import { writeRenderOutput } from './render-output';

export interface RenderOptions {
  inventory: string;
  playbook: string;
  out: string;
  limit?: string;
}

/**
 * Writes every file each host would receive to OUT/<host>/<absolute path>.
 * No SSH. Secret values are written as ******** so the folder is safe to keep
 * as a CI artefact. Nothing is written unless every file rendered, and no
 * file the tool did not write is ever replaced or deleted (render-output).
 */
export async function runRender(opts: RenderOptions, io: Io): Promise<number> {
  const { files: hosts } = renderedProject(opts);
  const files = hosts.flatMap(({ host, files: planned }) =>
    planned.map((file) => ({ path: path.posix.join(host, file.path), content: file.content })),
  );
  writeRenderOutput(opts.out, files);
  // A host that receives no file still has its folder: `diff --against` reads hosts from them.
  for (const { host } of hosts) fs.mkdirSync(path.join(opts.out, host), { recursive: true });
  const count = files.length;
  io.out(
    `rendered ${count} file${count === 1 ? '' : 's'} for ${hosts.length} host${hosts.length === 1 ? '' : 's'} into ${opts.out}`,
  );
  return ExitCode.OK;
}
