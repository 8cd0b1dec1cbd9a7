/**
 * The lab's TLS material, kept across up and down in `<lab>/tls/` (mode 700):
 *   ca.crt, ca.key            the lab's own CA
 *   site.crt, site.key        the load balancer's certificate (www.foobar.com and
 *                             the address of every lb host)
 *   <host>.crt, <host>.key    one per database host (its name and address)
 * EC P-256 keys and SHA-256 signatures, made with the openssl CLI. Keys are
 * mode 600, certificates 644. A file pair is made again only when it is
 * missing, does not match its key or its CA, names other hosts or addresses
 * than the plan, or ends within RENEW_BEFORE_DAYS; otherwise it is kept byte
 * for byte.
 *
 * The plan (names, subject alternative names, paths), the openssl
 * configuration files and the renew decision are pure (tls-plan.ts);
 * `ensureLabTls` here does the work.
 */
import { randomBytes, X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './exec';
import { ensureDir, writeFileAtomic } from './local-files';
import { allSettledOrThrow } from './parallel';
import {
  caConfig,
  caRenewReason,
  leafConfig,
  leafRenewReason,
  parseAltNames,
  type CaPlan,
  type CertificateFacts,
  type LabTlsPlan,
  type LeafPlan,
  type TlsFilePair,
} from './tls-plan';

export * from './tls-plan';

function readCertificate(pair: TlsFilePair): { cert: X509Certificate; key: KeyObject } | undefined {
  if (!existsSync(pair.certificate) || !existsSync(pair.key)) return undefined;
  try {
    return {
      cert: new X509Certificate(readFileSync(pair.certificate)),
      key: createPrivateKey(readFileSync(pair.key)),
    };
  } catch {
    // Unreadable or not PEM: made again.
    return undefined;
  }
}

function commonNameOf(cert: X509Certificate): string | undefined {
  const line = cert.subject.split('\n').find((l) => l.startsWith('CN='));
  return line?.slice('CN='.length);
}

function factsOf(
  found: { cert: X509Certificate; key: KeyObject },
  ca?: X509Certificate,
): CertificateFacts {
  const facts: CertificateFacts = {
    commonName: commonNameOf(found.cert),
    altNames: parseAltNames(found.cert.subjectAltName ?? ''),
    notAfter: new Date(found.cert.validTo),
    isCa: found.cert.ca,
    keyMatches: found.cert.checkPrivateKey(found.key),
  };
  if (ca) facts.issuedByCa = found.cert.checkIssued(ca) && found.cert.verify(ca.publicKey);
  return facts;
}

/** A random positive 128-bit serial number, as openssl's `-set_serial` takes it. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01;
  return `0x${bytes.toString('hex')}`;
}

async function makeKey(step: string, path: string): Promise<void> {
  await runOk(step, 'openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    path,
  ]);
}

/** Installs a key and certificate made in `work`: key first, so a cut leaves a pair that does not match (and is made again). */
function install(work: string, pair: TlsFilePair): void {
  writeFileAtomic(pair.key, readFileSync(join(work, 'key.pem')), 0o600);
  writeFileAtomic(pair.certificate, readFileSync(join(work, 'cert.pem')), 0o644);
}

async function makeCa(plan: CaPlan, work: string): Promise<void> {
  const step = 'make the lab TLS CA';
  const config = join(work, 'openssl.cnf');
  writeFileAtomic(config, caConfig(plan), 0o600);
  await makeKey(step, join(work, 'key.pem'));
  await runOk(step, 'openssl', [
    'req',
    '-new',
    '-x509',
    '-config',
    config,
    '-extensions',
    'ext',
    '-key',
    join(work, 'key.pem'),
    '-sha256',
    '-days',
    String(plan.days),
    '-set_serial',
    randomSerial(),
    '-out',
    join(work, 'cert.pem'),
  ]);
  install(work, plan);
}

async function makeLeaf(plan: LeafPlan, ca: CaPlan, work: string): Promise<void> {
  const step = `make the lab TLS certificate ${plan.label}`;
  const config = join(work, 'openssl.cnf');
  writeFileAtomic(config, leafConfig(plan), 0o600);
  await makeKey(step, join(work, 'key.pem'));
  await runOk(step, 'openssl', [
    'req',
    '-new',
    '-config',
    config,
    '-key',
    join(work, 'key.pem'),
    '-sha256',
    '-out',
    join(work, 'request.pem'),
  ]);
  await runOk(step, 'openssl', [
    'x509',
    '-req',
    '-in',
    join(work, 'request.pem'),
    '-CA',
    ca.certificate,
    '-CAkey',
    ca.key,
    '-set_serial',
    randomSerial(),
    '-sha256',
    '-days',
    String(plan.days),
    '-extfile',
    config,
    '-extensions',
    'ext',
    '-out',
    join(work, 'cert.pem'),
  ]);
  install(work, plan);
}

/** Working folders and temporary files an interrupted run left (the caller holds the lab's lock). */
function removeLeftovers(dir: string): void {
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.work-') || /\.tmp-\d+$/.test(entry)) {
      rmSync(join(dir, entry), { recursive: true, force: true });
    }
  }
}

export interface LabTlsResult {
  plan: LabTlsPlan;
  /** What was made by this call, each with the reason: `site (missing)`. Empty when all was kept. */
  made: string[];
}

/**
 * Makes what is missing or out of date in `plan.dir` and keeps the rest.
 * Throws EnvironmentError (naming the step) when openssl fails. Callers hold
 * the lab's lock: two calls on one folder must not overlap.
 */
export async function ensureLabTls(
  plan: LabTlsPlan,
  now: Date = new Date(),
): Promise<LabTlsResult> {
  ensureDir(plan.dir, 0o700);
  chmodSync(plan.dir, 0o700);
  removeLeftovers(plan.dir);
  const work = mkdtempSync(join(plan.dir, '.work-'));
  const made: string[] = [];
  try {
    const existingCa = readCertificate(plan.ca);
    const caReason = caRenewReason(existingCa && factsOf(existingCa), plan.ca, now);
    if (caReason) {
      await makeCa(plan.ca, join(work, 'ca'));
      made.push(`CA (${caReason})`);
    }
    const ca = new X509Certificate(readFileSync(plan.ca.certificate));
    const leaves = [plan.site, ...plan.databases];
    const reasons = await allSettledOrThrow(
      leaves.map(async (leaf, i) => {
        const existing = readCertificate(leaf);
        const reason = leafRenewReason(existing && factsOf(existing, ca), leaf, now);
        if (reason) await makeLeaf(leaf, plan.ca, join(work, String(i)));
        return reason;
      }),
    );
    leaves.forEach((leaf, i) => {
      if (reasons[i]) made.push(`${leaf.label} (${reasons[i]})`);
    });
    for (const pair of [plan.ca, ...leaves]) {
      chmodSync(pair.key, 0o600);
      chmodSync(pair.certificate, 0o644);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { plan, made };
}
