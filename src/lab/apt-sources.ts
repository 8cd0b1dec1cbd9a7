/**
 * The Debian mirror the machine's own apt sources point to, read from
 * one-line (`sources.list`) and deb822 (`*.sources`) files. Pure.
 */

export const FALLBACK_MIRROR = 'http://deb.debian.org/debian';

export interface AptSource {
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  enabled: boolean;
}

/** Suite names of Debian's main archive (not -security, -updates or third parties). */
const DEBIAN_SUITES = new Set([
  'sid',
  'unstable',
  'testing',
  'stable',
  'oldstable',
  'oldoldstable',
  'experimental',
  'forky',
  'trixie',
  'bookworm',
  'bullseye',
  'buster',
]);

export function parseOneLineSources(content: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    // deb [option=value ...] uri suite [component ...]
    const match = /^(deb|deb-src)\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    sources.push({
      types: [match[1]],
      uris: [match[2]],
      suites: [match[3]],
      components: match[4].split(/\s+/).filter(Boolean),
      enabled: true,
    });
  }
  return sources;
}

export function parseDeb822Sources(content: string): AptSource[] {
  const sources: AptSource[] = [];
  const stanzas = content.split(/\n\s*\n/);
  for (const stanza of stanzas) {
    const fields = new Map<string, string>();
    let current: string | undefined;
    for (const raw of stanza.split('\n')) {
      if (raw.startsWith('#')) continue;
      if (/^\s/.test(raw) && current) {
        fields.set(current, `${fields.get(current)} ${raw.trim()}`);
        continue;
      }
      const match = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(raw);
      if (!match) continue;
      current = match[1].toLowerCase();
      fields.set(current, match[2].trim());
    }
    const list = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean);
    if (!fields.has('uris')) continue;
    sources.push({
      types: list('types'),
      uris: list('uris'),
      suites: list('suites'),
      components: list('components'),
      enabled: (fields.get('enabled') ?? 'yes').toLowerCase() !== 'no',
    });
  }
  return sources;
}

/**
 * The first enabled binary source of Debian's main archive over http(s), or
 * undefined when there is none.
 */
export function pickDebianMirror(sources: readonly AptSource[]): string | undefined {
  for (const source of sources) {
    if (!source.enabled || !source.types.includes('deb')) continue;
    if (!source.suites.some((s) => DEBIAN_SUITES.has(s))) continue;
    if (source.components.length > 0 && !source.components.includes('main')) continue;
    const uri = source.uris.find((u) => /^https?:\/\//.test(u));
    if (uri) return uri.replace(/\/+$/, '');
  }
  return undefined;
}
