/** The names the release module gives its releases: 12 hex digits of the code's hash. */
export const RELEASE_ID = /^[0-9a-f]{12}$/;

/** Where things are in an application folder. */
export interface ReleaseLayout {
  dir: string;
  releases: string;
  current: string;
  /** The link to the release `current` pointed to before its last switch. */
  previous: string;
  release(id: string): string;
  shared(rel: string): string;
  /** Where a code base copied in place before releases is moved aside to (never removed). */
  beforeReleases: string;
}

export function releaseLayout(dir: string): ReleaseLayout {
  const root = dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
  return {
    dir: root,
    releases: `${root}/releases`,
    current: `${root}/current`,
    previous: `${root}/previous`,
    release: (id) => `${root}/releases/${id}`,
    shared: (rel) => `${root}/shared/${rel}`,
    beforeReleases: `${root}/releases/before-releases`,
  };
}
