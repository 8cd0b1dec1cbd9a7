/** SSH keys of a lab: the client key, and one host key per host, made on the machine. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { runOk } from './exec';
import { ensureDir } from './local-files';

/**
 * An ed25519 key pair at `path` (private) and `path.pub`, generated once and
 * kept; returns the public key line.
 */
export async function ensureKeyPair(path: string, comment: string): Promise<string> {
  if (!existsSync(path) || !existsSync(`${path}.pub`)) {
    ensureDir(dirname(path), 0o700);
    rmSync(path, { force: true });
    rmSync(`${path}.pub`, { force: true });
    await runOk(`generate ssh key ${path}`, 'ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      comment,
      '-f',
      path,
    ]);
  }
  return readFileSync(`${path}.pub`, 'utf8').trim();
}
