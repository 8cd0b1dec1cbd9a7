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
