import { strict as assert } from 'node:assert';
import {
  FALLBACK_MIRROR,
  parseDeb822Sources,
  parseOneLineSources,
  pickDebianMirror,
} from '../../src/lab/apt-sources';
import { renderAptSources, renderEtcHosts, renderKnownHosts } from '../../src/lab/host-files';
import { cgroupWrapper, nspawnArgs, nspawnEnv } from '../../src/lab/nspawn-args';
import { hostNamesFromOption, planHosts } from '../../src/lab/plan-names';
import { mountsAtOrBelow, parseProcMounts } from '../../src/lab/proc-mounts';
import { packageNames, renderRelease } from '../../src/lab/repo-index';
import { sshArgs } from '../../src/lab/ssh-args';
import { parseSubnet } from '../../src/lab/subnet';

/** This machine's /etc/apt/sources.list.d/debian.sources. */
const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('lab machine files and command lines', () => {
  it("finds the Debian mirror of the machine's apt sources", () => {
    assert.equal(pickDebianMirror(parseDeb822Sources(DEB822)), 'http://deb.debian.org/debian');
    const oneLine = parseOneLineSources(
      '# local\ndeb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n' +
        'deb-src http://ftp.de.debian.org/debian bookworm main\n' +
        'deb [arch=amd64 signed-by=/k.gpg] http://ftp.de.debian.org/debian/ bookworm main contrib\n',
    );
    assert.equal(pickDebianMirror(oneLine), 'http://ftp.de.debian.org/debian');
    const disabled = parseDeb822Sources(
      'Types: deb\nURIs: http://x/debian\nSuites: sid\nEnabled: no\n',
    );
    assert.equal(pickDebianMirror(disabled), undefined);
    assert.equal(FALLBACK_MIRROR, 'http://deb.debian.org/debian');
  });

  it('gives hosts the lab repository as their only source, and every lab host in /etc/hosts', () => {
    assert.match(renderAptSources(), /^deb \[trusted=yes\] file:\/srv\/foobar-lab-repo \.\/$/m);
    const hosts = planHosts(
      'default',
      hostNamesFromOption(undefined),
      parseSubnet('10.231.0.0/24'),
    );
    const etcHosts = renderEtcHosts('web-01', hosts);
    assert.match(etcHosts, /^127\.0\.1\.1\tweb-01$/m);
    assert.match(etcHosts, /^10\.231\.0\.13\tweb-02$/m);
  });

  it('writes known_hosts lines with address and name, without key comments', () => {
    assert.equal(
      renderKnownHosts([
        { names: ['10.231.0.11', 'lb-01'], publicKey: 'ssh-ed25519 AAAAC3Nz root@lb-01\n' },
      ]),
      '10.231.0.11,lb-01 ssh-ed25519 AAAAC3Nz\n',
    );
  });

  it('indexes the repository with a Release file holding the hash of Packages', () => {
    const packages = 'Package: haproxy\nVersion: 3.2\n\nPackage: nginx\nVersion: 1.30\n';
    const release = renderRelease(packages, 'lab', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    assert.match(release, /^Date: Fri, 02 Jan 2026 03:04:05 UTC$/m);
    assert.match(release, new RegExp(` [0-9a-f]{64} ${packages.length} Packages`));
    assert.deepEqual(packageNames(packages), ['haproxy', 'nginx']);
  });

  it('boots with the netns, no registration, and the repository bound read-only', () => {
    const input = {
      root: '/r',
      machine: 'fbl-default-lb-01',
      netns: 'fbl-default-lb-01',
      repoPath: '/repo',
      unifiedCgroupHierarchy: true,
    };
    const args = nspawnArgs(input);
    for (const a of [
      '--boot',
      '--directory=/r',
      '--network-namespace-path=/run/netns/fbl-default-lb-01',
      '--register=no',
      '--keep-unit',
      '--capability=CAP_NET_ADMIN',
      '--bind-ro=/repo:/srv/foobar-lab-repo',
    ]) {
      assert.ok(args.includes(a), a);
    }
    assert.deepEqual(nspawnEnv(input), { SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1' });
    assert.deepEqual(nspawnEnv({ unifiedCgroupHierarchy: false }), {});
    const wrapped = cgroupWrapper(['/cg/a', '/cg/b'], 'systemd-nspawn', ['--boot']);
    assert.deepEqual(wrapped.slice(2), [
      'foobar-lab-boot',
      '2',
      '/cg/a',
      '/cg/b',
      'systemd-nspawn',
      '--boot',
    ]);
  });

  it('reaches hosts as deploy with strict host key checking and nothing from ~/.ssh/config', () => {
    const args = sshArgs({ address: '10.231.0.11', keyPath: '/k', knownHostsPath: '/kh' }, [
      'ls',
      '-l',
    ]);
    const joined = args.join(' ');
    assert.match(joined, /-F \/dev\/null/);
    assert.match(joined, /StrictHostKeyChecking=yes/);
    assert.match(joined, /UserKnownHostsFile=\/kh/);
    assert.match(joined, /IdentityFile=\/k/);
    assert.match(joined, /BatchMode=yes/);
    assert.deepEqual(args.slice(-7), ['-T', '-l', 'deploy', '--', '10.231.0.11', 'ls', '-l']);
    assert.ok(
      sshArgs({ address: 'a', keyPath: 'k', knownHostsPath: 'h' }, [], { tty: true }).includes(
        '-t',
      ),
    );
  });

  it('finds mounts below a folder, deepest first, unescaping /proc/mounts', () => {
    const mounts = parseProcMounts(
      'overlay /var/lib/x/hosts/a/root overlay rw 0 0\n' +
        'proc /var/lib/x/scratch/root/proc proc rw 0 0\n' +
        'overlay /var/lib/x/scratch/root overlay rw 0 0\n' +
        '/dev/vda /var/lib/x\\040y ext4 rw 0 0\n' +
        '/dev/vda /var/lib/xy ext4 rw 0 0\n',
    );
    assert.equal(mounts[3].target, '/var/lib/x y');
    assert.deepEqual(mountsAtOrBelow(mounts, '/var/lib/x/scratch'), [
      '/var/lib/x/scratch/root/proc',
      '/var/lib/x/scratch/root',
    ]);
    assert.deepEqual(mountsAtOrBelow(mounts, '/var/lib/x'), [
      '/var/lib/x/scratch/root/proc',
      '/var/lib/x/hosts/a/root',
      '/var/lib/x/scratch/root',
    ]);
  });
});
