import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvironmentError } from '../core/errors';
import { privateFolder, shredFolder } from '../vault/private-files';

/**
 * Lets the user edit a text in $EDITOR (else $VISUAL, else vi) and returns
 * the result. The text lives in a private folder (mode 700, in memory when
 * /dev/shm exists) as a mode-600 file named `name`; whatever happens, every
 * file in that folder is overwritten with random bytes and removed before
 * this returns or throws.
 */
export async function editPrivately(
  text: string,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const dir = privateFolder('foobar-vault-');
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
    await runEditor(file, env);
    return fs.readFileSync(file, 'utf8');
  } finally {
    shredFolder(dir);
  }
}

/**
 * Runs the editor through `sh -c`, so that EDITOR may carry arguments
 * ("code --wait"), on the terminal of this process. Ctrl-C reaches the editor
 * (it is in the terminal's foreground group) and not this process; a SIGTERM
 * or SIGHUP sent here stops the editor, so that the plaintext is still shredded.
 */
async function runEditor(file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const editor = env.EDITOR || env.VISUAL || 'vi';
  const child = spawn('sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env });
  const ignore = () => undefined;
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', ignore);
  process.on('SIGQUIT', ignore);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  try {
    const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve({ code, signal }));
      },
    ).catch((error: NodeJS.ErrnoException) => {
      throw new EnvironmentError(
        `cannot run sh for the editor (${error.code ?? error.message})`,
        'editor',
      );
    });
    if (end.code !== 0)
      throw new EnvironmentError(
        `${editor} ${end.signal ? `was stopped by ${end.signal}` : `exited with ${end.code}`}`,
        'editor',
      );
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGQUIT', ignore);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
  }
}
