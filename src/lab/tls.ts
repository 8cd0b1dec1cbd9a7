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
 * configuration files and the renew decision are pure; `ensureLabTls` does the
 * work.
 */
import { randomBytes, X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors';
import { runOk } from './exec';
import type { InventoryTls } from './inventory-file';
import { ensureDir, writeFileAtomic } from './local-files';
import { allSettledOrThrow } from './parallel';
import { labPaths, labRoot } from './paths';
import { validateLabName, type HostPlan } from './plan-names';

/** The site the load balancer serves (the project's default `domain`). */
export const SITE_DOMAIN = 'www.foobar.com';
export const CA_DAYS = 825;
/** The most a publicly trusted server certificate may last; the lab keeps to it. */
export const LEAF_DAYS = 397;
/** A certificate that ends within this many days is made again. */
export const RENEW_BEFORE_DAYS = 30;

export const CA_CERTIFICATE_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';
export const SITE_NAME = 'site';
/** File stems the lab's own files use: no database host may be named so. */
const RESERVED_STEMS: readonly string[] = ['ca', SITE_NAME];

export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

export interface TlsFilePair {
  certificate: string;
  key: string;
}

export interface CaPlan extends TlsFilePair {
  commonName: string;
  days: number;
}

export interface LeafPlan extends TlsFilePair {
  /** What the certificate is for, in messages and openssl steps: `site` or a host name. */
  label: string;
  commonName: string;
  /** Subject alternative names in openssl's form: `DNS:name`, `IP:address`. */
  altNames: string[];
  extendedKeyUsage: ExtendedKeyUsage[];
  days: number;
}

export interface LabTlsPlan {
  dir: string;
  ca: CaPlan;
  /** The load balancer's certificate. */
  site: LeafPlan;
  /** One per database host (a web host with a MySQL role), in host order. */
  databases: (LeafPlan & { host: string })[];
}

function pairIn(dir: string, stem: string): TlsFilePair {
  return { certificate: join(dir, `${stem}.crt`), key: join(dir, `${stem}.key`) };
}

/** The CA certificate of a lab's TLS folder. */
export function caCertificatePath(tlsDir: string): string {
  return join(tlsDir, CA_CERTIFICATE_FILE);
}

/** The CA certificate of the lab `name` (default `default`) under `root` (default: the lab root). */
export function labCaPath(name?: string, root?: string): string {
  return caCertificatePath(labPaths(labRoot(root), validateLabName(name)).tls);
}

/** What `lab up` makes for these hosts, in the folder `dir`. Pure. */
export function planLabTls(
  labName: string,
  dir: string,
  hosts: readonly HostPlan[],
  /** The load balancers' shared address, when there are two. */
  virtualIp?: string,
): LabTlsPlan {
  const databases = hosts.filter((h) => h.role === 'web' && h.mysqlRole !== undefined);
  const clash = databases.find((h) => RESERVED_STEMS.includes(h.name));
  if (clash) {
    throw new UsageError(
      `--hosts: a database host may not be named "${clash.name}" (the lab's TLS folder uses ${clash.name}.crt for itself)`,
    );
  }
  return {
    dir,
    ca: {
      ...pairIn(dir, 'ca'),
      commonName: `foobar-infra lab ${labName} CA`,
      days: CA_DAYS,
    },
    site: {
      ...pairIn(dir, SITE_NAME),
      label: SITE_NAME,
      commonName: SITE_DOMAIN,
      altNames: [
        `DNS:${SITE_DOMAIN}`,
        ...hosts.filter((h) => h.role === 'lb').map((h) => `IP:${h.address}`),
        ...(virtualIp ? [`IP:${virtualIp}`] : []),
      ],
      extendedKeyUsage: ['serverAuth'],
      days: LEAF_DAYS,
    },
    databases: databases.map((h) => ({
      ...pairIn(dir, h.name),
      host: h.name,
      label: h.name,
      commonName: h.name,
      altNames: [`DNS:${h.name}`, `IP:${h.address}`],
      // Replicas connect to their source with the same certificate.
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
      days: LEAF_DAYS,
    })),
  };
}

/** The inventory's references to the plan's files. Pure. */
export function inventoryTls(plan: LabTlsPlan): InventoryTls {
  return {
    caCertificate: plan.ca.certificate,
    siteCertificate: plan.site.certificate,
    siteKey: plan.site.key,
    databases: Object.fromEntries(
      plan.databases.map((d) => [d.host, { certificate: d.certificate, key: d.key }]),
    ),
  };
}

/**
 * Subject alternative names in openssl's config form (`DNS:x`, `IP:y`), from
 * Node's `X509Certificate.subjectAltName` or from `openssl x509 -noout -ext
 * subjectAltName` (whose first line is a header). Pure.
 */
export function parseAltNames(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !/Subject Alternative Name/.test(line))
    .join(',')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => part.replace(/^IP Address:/, 'IP:'));
}

/** The same names, in any order. Pure. */
export function sameAltNames(a: readonly string[], b: readonly string[]): boolean {
  const sorted = (names: readonly string[]) => [...new Set(names)].sort().join('\n');
  return sorted(a) === sorted(b);
}

/** What an existing certificate and key file say, as far as the renew decision needs. */
export interface CertificateFacts {
  commonName: string | undefined;
  altNames: string[];
  notAfter: Date;
  isCa: boolean;
  /** The key file holds the certificate's private key. */
  keyMatches: boolean;
  /** Signed by the current CA (leaf certificates only). */
  issuedByCa?: boolean;
}

function renewSoon(facts: CertificateFacts, now: Date): boolean {
  return facts.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * 86_400_000;
}

/** Why the CA must be made (again), or undefined to keep it. Pure. */
export function caRenewReason(
  facts: CertificateFacts | undefined,
  plan: CaPlan,
  now: Date,
): string | undefined {
  if (!facts) return 'missing';
  if (!facts.isCa) return 'not a CA certificate';
  if (facts.commonName !== plan.commonName) return `named "${facts.commonName ?? ''}"`;
  if (!facts.keyMatches) return 'its key does not match';
  if (renewSoon(facts, now)) return `ends ${facts.notAfter.toISOString().slice(0, 10)}`;
  return undefined;
}

/** Why a leaf certificate must be made (again), or undefined to keep it. Pure. */
export function leafRenewReason(
  facts: CertificateFacts | undefined,
  plan: LeafPlan,
  now: Date,
): string | undefined {
  if (!facts) return 'missing';
  if (!facts.issuedByCa) return 'not signed by the lab CA';
  if (!facts.keyMatches) return 'its key does not match';
  if (facts.commonName !== plan.commonName || !sameAltNames(facts.altNames, plan.altNames)) {
    return `names ${facts.altNames.join(', ') || 'nothing'}, not ${plan.altNames.join(', ')}`;
  }
  if (renewSoon(facts, now)) return `ends ${facts.notAfter.toISOString().slice(0, 10)}`;
  return undefined;
}

/** The start of an openssl `req` configuration: the subject, then the extensions' section. */
function requestSubject(commonName: string): string[] {
  return ['[req]', 'prompt = no', 'distinguished_name = dn', '[dn]', `CN = ${commonName}`, '[ext]'];
}

/** The openssl `req` configuration of the CA (no system openssl.cnf involved). Pure. */
export function caConfig(plan: CaPlan): string {
  return [
    ...requestSubject(plan.commonName),
    'basicConstraints = critical, CA:true',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    '',
  ].join('\n');
}

/** The openssl configuration of a leaf: its request's subject and its extensions. Pure. */
export function leafConfig(plan: LeafPlan): string {
  return [
    ...requestSubject(plan.commonName),
    'basicConstraints = critical, CA:false',
    'keyUsage = critical, digitalSignature',
    `extendedKeyUsage = ${plan.extendedKeyUsage.join(', ')}`,
    `subjectAltName = ${plan.altNames.join(', ')}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid:always',
    '',
  ].join('\n');
}

// ---- effects ----

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
