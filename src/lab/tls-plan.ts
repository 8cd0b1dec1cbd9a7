/**
 * The lab's TLS plan, pure: the names and subject alternative names of each
 * file pair, their paths, the openssl configuration files, and when a pair
 * is made again (tls.ts does the work).
 */
import { join } from 'node:path';
import { UsageError } from '../core/errors';
import type { InventoryTls } from './inventory-file';
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
