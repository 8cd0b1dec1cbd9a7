/**
 * How a small file is best sent: an exec channel with the content on stdin
 * (what the transport does), or an SFTP session. Measured on one open
 * connection to a lab host, as the deploy user, into /tmp.
 */
import * as fs from 'node:fs';
import { NodeSSH } from 'node-ssh';
import { stats, type Stats } from './measure';

export interface UploadFigures {
  /** Per size: exec+stdin and SFTP (session opened per upload, as a run would need). */
  sizes: { bytes: number; exec: Stats; sftp: Stats }[];
}

export async function uploadFigures(
  host: { address: string; keyPath: string; knownHostsPath: string },
  runs: number,
): Promise<UploadFigures> {
  // The host's key, as the lab's known_hosts has it: checked, as everywhere.
  const known = fs
    .readFileSync(host.knownHostsPath, 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[0]!.split(',').includes(host.address))
    .map((f) => f[2]);
  const ssh = new NodeSSH();
  await ssh.connect({
    host: host.address,
    username: 'deploy',
    privateKey: fs.readFileSync(host.keyPath, 'utf8'),
    hostVerifier: (key: Buffer) => known.includes(key.toString('base64')),
  } as Parameters<NodeSSH['connect']>[0]);
  // As the transport does: without it, Nagle's algorithm adds ~40 ms to small exchanges.
  ssh.connection?.setNoDelay(true);
  try {
    const sizes = [];
    for (const bytes of [4 * 1024, 256 * 1024, 4 * 1024 * 1024]) {
      const data = Buffer.alloc(bytes, 'x');
      const time = async (send: () => Promise<void>) => {
        const samples: number[] = [];
        for (let i = 0; i < runs; i++) {
          const start = process.hrtime.bigint();
          await send();
          samples.push(Number(process.hrtime.bigint() - start) / 1e6);
        }
        return stats(samples);
      };
      const exec = await time(async () => {
        const r = await ssh.execCommand('cat > /tmp/foobar-bench-upload', {
          stdin: data.toString('latin1'),
        });
        if (r.code !== 0) throw new Error(`exec upload failed: ${r.stderr}`);
      });
      const sftp = await time(async () => {
        const session = await ssh.requestSFTP();
        await new Promise<void>((resolve, reject) =>
          session.writeFile('/tmp/foobar-bench-upload', data, (err: Error | null | undefined) =>
            err ? reject(err) : resolve(),
          ),
        );
        session.end();
      });
      sizes.push({ bytes, exec, sftp });
    }
    return { sizes };
  } finally {
    ssh.dispose();
  }
}
