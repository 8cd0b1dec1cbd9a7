/**
 * What goes into a cached image or package repository, and the key it is cached
 * under. The key is a hash of the recipe: change the recipe (or bump its version
 * when the build steps change) and the next `lab up` builds a new one.
 */
import { createHash } from 'node:crypto';
import type { FlavorSpec } from './flavors';

/** Bump when the image build or customisation steps change. */
export const IMAGE_RECIPE_VERSION = 1;
/** Bump when the way the repository is gathered or indexed changes. */
export const REPO_RECIPE_VERSION = 1;

/** Packages of the base image, on top of Debian's minbase variant. */
export const IMAGE_PACKAGES: readonly string[] = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'openssh-server',
  'iproute2',
  'sudo',
  'procps',
  'curl',
  'ca-certificates',
];

/** Packages the hosts can install from the local repository, besides the database. */
export const REPO_COMMON_PACKAGES: readonly string[] = [
  'haproxy',
  'nginx',
  'nodejs',
  'nftables',
  'keepalived',
  'openssl',
  'curl',
  'ca-certificates',
  'rsync',
  // The site's rollout drains a web host through HAProxy's admin socket.
  'socat',
  // rrsync, which confines the backup copies' account to its folder, is Python.
  'python3',
  // The backup copies go over SSH; Debian's openssh-server no longer pulls the client in (sid).
  'openssh-client',
  // Monitoring: Prometheus, Alertmanager and the exporters, from Debian.
  'prometheus',
  'prometheus-alertmanager',
  'prometheus-node-exporter',
  'prometheus-mysqld-exporter',
  'prometheus-nginx-exporter',
  'prometheus-blackbox-exporter',
];

/** The non-root user every host has, with passwordless sudo. */
export const DEPLOY_USER = 'deploy';

export interface ImageRecipe {
  kind: 'image';
  version: number;
  suite: string;
  variant: 'minbase';
  packages: string[];
  deployUser: string;
}

export interface RepoRecipe {
  kind: 'repo';
  version: number;
  flavor: string;
  /** The image the packages were resolved against. */
  imageId: string;
  packages: string[];
}

export function imageRecipe(flavor: FlavorSpec): ImageRecipe {
  return {
    kind: 'image',
    version: IMAGE_RECIPE_VERSION,
    suite: flavor.suite,
    variant: 'minbase',
    packages: [...IMAGE_PACKAGES],
    deployUser: DEPLOY_USER,
  };
}

export function repoRecipe(flavor: FlavorSpec, imageId: string): RepoRecipe {
  return {
    kind: 'repo',
    version: REPO_RECIPE_VERSION,
    flavor: flavor.flavor,
    imageId,
    packages: [...REPO_COMMON_PACKAGES, ...flavor.dbPackages],
  };
}

/** JSON with object keys sorted, so equal recipes always hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short, stable hash of a recipe. Package order does not matter. */
export function recipeKey(recipe: ImageRecipe | RepoRecipe): string {
  const normalised = { ...recipe, packages: [...new Set(recipe.packages)].sort() };
  return createHash('sha256').update(canonicalJson(normalised)).digest('hex').slice(0, 12);
}

export function imageId(recipe: ImageRecipe): string {
  return `${recipe.suite}-${recipeKey(recipe)}`;
}

export function repoId(recipe: RepoRecipe): string {
  return `${recipe.flavor}-${recipeKey(recipe)}`;
}
