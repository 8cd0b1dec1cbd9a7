/**
 * The `releases` fact: what `current` is in an application folder (a link
 * and its target, a folder, nothing), the target of the `previous` link, and each release folder under
 * `releases/` with the time its marker was written (a whole release) or none
 * (a release cut off while it was made), to the millisecond. Only plain names are listed: the
 * tool names its releases with hex ids.
 */
import { quote } from '../../core/shell';
import type { CurrentRelease, ReleasesFact } from '../model';
import { FactParseError, type FactKind } from './kind';

/** The file written last into a release folder: the release is whole. */
export const RELEASE_MARKER = '.foobar-release';

export const releasesKind: FactKind<'releases'> = {
  kind: 'releases',
  summary:
    "an application folder's releases: what `current` points to, and each release, whole or not",
  key: (request) => `releases:${request.dir}`,
  command(request) {
    const current = quote(`${request.dir}/current`);
    const previous = quote(`${request.dir}/previous`);
    const releases = quote(`${request.dir}/releases`);
    return [
      `if [ -L ${previous} ]; then printf 'previous\\t%s\\n' "$(readlink -- ${previous})"; fi;`,
      `if [ -L ${current} ]; then printf 'current\\tlink\\t%s\\n' "$(readlink -- ${current})";`,
      `elif [ -d ${current} ]; then printf 'current\\tdirectory\\n'; elif [ -e ${current} ]; then printf 'current\\tother\\n';`,
      `else printf 'current\\tabsent\\n'; fi;`,
      `if [ -d ${releases} ] && [ ! -L ${releases} ]; then printf 'releases\\n';`,
      `for fb_r in ${releases}/*; do fb_n=\${fb_r##*/}; [ -d "$fb_r" ] && [ ! -L "$fb_r" ] || continue;`,
      `case $fb_n in *[!A-Za-z0-9._-]*) continue;; esac;`,
      `if [ -f "$fb_r/${RELEASE_MARKER}" ]; then printf 'release\\t%s\\t%s\\n' "$(stat -c %.3Y -- "$fb_r/${RELEASE_MARKER}")" "$fb_n";`,
      `else printf 'release\\t-\\t%s\\n' "$fb_n"; fi; done; fi`,
    ].join(' ');
  },
  parse: (request, text) => ({ kind: 'releases', value: parseReleases(request.dir, text) }),
  simulate(request, host) {
    const link = host.links.get(`${request.dir}/current`);
    const current: CurrentRelease =
      link !== undefined
        ? { type: 'link', target: link }
        : host.dirs.has(`${request.dir}/current`)
          ? { type: 'directory' }
          : host.files.has(`${request.dir}/current`)
            ? { type: 'other' }
            : { type: 'absent' };
    const previous = host.links.get(`${request.dir}/previous`);
    const prefix = `${request.dir}/releases/`;
    const releases = [...host.dirs.keys()]
      .filter((d) => d.startsWith(prefix) && !d.slice(prefix.length).includes('/'))
      .sort()
      .map((d) => ({
        name: d.slice(prefix.length),
        ...(host.files.has(`${d}/${RELEASE_MARKER}`) ? { completedAt: 0 } : {}),
      }));
    return {
      kind: 'releases',
      value: {
        dir: request.dir,
        current,
        hasReleasesDir: host.dirs.has(`${request.dir}/releases`),
        releases,
        ...(previous !== undefined ? { previous } : {}),
      },
    };
  },
};

export function parseReleases(dir: string, text: string): ReleasesFact {
  const fact: ReleasesFact = {
    dir,
    current: { type: 'absent' },
    hasReleasesDir: false,
    releases: [],
  };
  let sawCurrent = false;
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const [head, a, b] = line.split('\t');
    if (head === 'current' && a === 'link' && b !== undefined)
      fact.current = { type: 'link', target: b };
    else if (head === 'current' && (a === 'directory' || a === 'absent' || a === 'other'))
      fact.current = { type: a };
    else if (head === 'releases' && a === undefined) fact.hasReleasesDir = true;
    else if (head === 'previous' && a !== undefined && b === undefined) fact.previous = a;
    else if (head === 'release' && a !== undefined && b) {
      // Seconds since the epoch, to the millisecond (stat %.3Y).
      const time = Number(a);
      if (a !== '-' && (!/^\d+(\.\d+)?$/.test(a) || !Number.isFinite(time)))
        throw new FactParseError(`releases ${dir}: unexpected time in ${JSON.stringify(line)}`);
      fact.releases.push(a === '-' ? { name: b } : { name: b, completedAt: time });
    } else throw new FactParseError(`releases ${dir}: unexpected line ${JSON.stringify(line)}`);
    if (head === 'current') sawCurrent = true;
  }
  if (!sawCurrent) throw new FactParseError(`releases ${dir}: no line about current`);
  return fact;
}

/**
 * The release `current` points to, whole or not, whatever form its target
 * takes (`releases/<id>`, `./releases/<id>/`, the absolute path): what apply
 * and the `releases` listing both take for the current release.
 */
export function linkedRelease(fact: ReleasesFact): string | undefined {
  return fact.current.type === 'link' ? releaseOfTarget(fact, fact.current.target) : undefined;
}

/** The release the `previous` link names, whole or not; undefined without the link. */
export function previousLink(fact: ReleasesFact): string | undefined {
  return fact.previous !== undefined ? releaseOfTarget(fact, fact.previous) : undefined;
}

/** The release a link target names, whatever its form; undefined for anything else. */
function releaseOfTarget(fact: ReleasesFact, linkTarget: string): string | undefined {
  const target = linkTarget.replace(/\/+$/, '');
  for (const prefix of ['releases/', './releases/', `${fact.dir}/releases/`])
    if (target.startsWith(prefix)) {
      const name = target.slice(prefix.length);
      if (name !== '' && !name.includes('/')) return name;
    }
  return undefined;
}

/** The release is there and its marker written. */
export const isWhole = (fact: ReleasesFact, name: string) =>
  fact.releases.some((r) => r.name === name && r.completedAt !== undefined);

/** Whole releases, newest first (by the time each was made whole). */
export function wholeByTime(fact: ReleasesFact): { name: string; completedAt: number }[] {
  return fact.releases
    .filter((r): r is { name: string; completedAt: number } => r.completedAt !== undefined)
    .sort((a, b) => b.completedAt - a.completedAt || (a.name < b.name ? 1 : -1));
}

/**
 * Where a rollback goes: the release `current` pointed to before its last
 * switch (the `previous` link), when it is whole and not the current one;
 * without that link, the whole release made before the current one.
 * Undefined when there is none.
 */
export function previousRelease(fact: ReleasesFact): string | undefined {
  const name = linkedRelease(fact);
  const linked = previousLink(fact);
  if (linked && linked !== name && isWhole(fact, linked)) return linked;
  const at = fact.releases.find((r) => r.name === name)?.completedAt;
  if (at === undefined) return undefined;
  return wholeByTime(fact).find((r) => r.completedAt < at)?.name;
}
