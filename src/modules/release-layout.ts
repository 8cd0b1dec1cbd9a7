import type { ReleasesFact } from '../facts/types';

/** The names the release module gives its releases: 12 hex digits of the code's hash. */
export const RELEASE_ID = /^[0-9a-f]{12}$/;

/** Where things are in an application folder. */
export interface ReleaseLayout {
  dir: string;
  releases: string;
  current: string;
  release(id: string): string;
  shared(rel: string): string;
}

export function releaseLayout(dir: string): ReleaseLayout {
  const root = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  return {
    dir: root,
    releases: `${root}/releases`,
    current: `${root}/current`,
    release: (id) => `${root}/releases/${id}`,
    shared: (rel) => `${root}/shared/${rel}`,
  };
}

/**
 * The release `current` points to, whole or not, whatever form its target
 * takes (`releases/<id>`, `./releases/<id>/`, the absolute path).
 */
export function linkedRelease(state: ReleasesFact, at: ReleaseLayout): string | undefined {
  if (state.current.type !== 'link') return undefined;
  const target = state.current.target.replace(/\/+$/, '');
  for (const prefix of ['releases/', './releases/', `${at.releases}/`])
    if (target.startsWith(prefix)) {
      const name = target.slice(prefix.length);
      if (name !== '' && !name.includes('/')) return name;
    }
  return undefined;
}

export const isWhole = (state: ReleasesFact, name: string) =>
  state.releases.some((r) => r.name === name && r.completedAt !== undefined);
