import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { readCompareFile } from './compare-file.js';
import {
  compareAcross,
  compareVersions,
  getScheme,
  knownEcosystems,
  listSchemes,
  schemeForEcosystem,
} from './index.js';
import { InvalidVersionError, VersionSchemeMismatchError, type VersionSchemeId } from './types.js';

const ALL_IDS: VersionSchemeId[] = [
  'apk',
  'composer',
  'dpkg',
  'go',
  'maven',
  'nuget',
  'pep440',
  'rpm',
  'rubygems',
  'semver',
  'semver-loose',
];

/** Inputs no scheme accepts. */
const INVALID_EVERYWHERE = ['', '1'.repeat(100_000), `1.${'0'.repeat(2000)}`, ' \t ', '1 .0', '1.0\u0000'];

/** Hostile but short inputs: each must be rejected or compared quickly, never hang. */
const HOSTILE = [
  '9'.repeat(1000),
  `${'1.'.repeat(511)}1`,
  `${'1-'.repeat(511)}1`,
  `1.0.0-${'a.'.repeat(500)}a`,
  `1.0.0-beta${'1'.repeat(1000)}x`,
  `1.0.0-beta${'.1'.repeat(500)}x`,
  `1.0${'~'.repeat(1000)}`,
  `1${'_p'.repeat(500)}`,
  `v${'0'.repeat(1020)}`,
  `1:${'0'.repeat(1000)}`,
  `1.0+${'a-'.repeat(500)}`,
  `1.0${'-dev'.repeat(250)}`,
  `2010${'-01'.repeat(300)}`,
  `${'a1'.repeat(500)}`,
];

/**
 * Versions whose order the upstream tool itself does not keep transitive; they stay in the data file
 * (their pairwise results match the tool) but are left out of the transitivity check. Maven ranks
 * `1-0-alpha` below `1` yet above `1-sp`, which is above `1`.
 */
const KNOWN_INTRANSITIVE: Partial<Record<VersionSchemeId, readonly string[]>> = { maven: ['1-0-alpha'] };

function versionsOf(id: VersionSchemeId): string[] {
  const file = fileURLToPath(new URL(`./${id}/testdata/compare.txt`, import.meta.url));
  if (!existsSync(file)) return [];
  const set = new Set<string>();
  for (const p of readCompareFile(file)) set.add(p.a).add(p.b);
  return [...set].sort();
}

describe('registry', () => {
  it('lists every scheme id exactly once, sorted', () => {
    expect(listSchemes().map((s) => s.id)).toEqual(ALL_IDS);
    for (const id of ALL_IDS) expect(getScheme(id).id).toBe(id);
  });

  it('rejects an unknown id', () => {
    expect(() => getScheme('semverish' as VersionSchemeId)).toThrow(/unknown version scheme/);
  });

  it('compareVersions delegates to the scheme', () => {
    expect(compareVersions('dpkg', '1.0~rc1', '1.0')).toBe(-1);
    expect(compareVersions('pep440', '1.0.post1', '1.0')).toBe(1);
  });
});

describe('compareAcross', () => {
  it('compares versions of one scheme', () => {
    expect(compareAcross({ scheme: 'rpm', v: '1.0-1.el9' }, { scheme: 'rpm', v: '1.0-2.el9' })).toBe(-1);
  });

  it.each([
    ['dpkg', 'rpm'],
    ['semver', 'go'],
    ['maven', 'pep440'],
  ] as const)('refuses %s against %s, even for identical strings', (a, b) => {
    const call = (): unknown => compareAcross({ scheme: a, v: '1.0.0' }, { scheme: b, v: '1.0.0' });
    expect(call).toThrow(VersionSchemeMismatchError);
    expect(call).toThrow(`cannot compare a ${a} version with a ${b} version`);
  });
});

describe('schemeForEcosystem', () => {
  it.each([
    ['Debian:12', 'dpkg'],
    ['Debian', 'dpkg'],
    ['Ubuntu:22.04:LTS', 'dpkg'],
    ['Ubuntu:Pro:FIPS:22.04:LTS', 'dpkg'],
    ['Alpine:v3.19', 'apk'],
    ['Wolfi', 'apk'],
    ['Chainguard', 'apk'],
    ['MinimOS', 'apk'],
    ['AlmaLinux:9', 'rpm'],
    ['Rocky Linux:8', 'rpm'],
    ['Red Hat:enterprise_linux:9::appstream', 'rpm'],
    ['openSUSE:Leap 15.5', 'rpm'],
    ['SUSE:Linux Enterprise Server 15 SP5', 'rpm'],
    ['Mageia:9', 'rpm'],
    ['Photon OS:5.0', 'rpm'],
    ['npm', 'semver'],
    ['crates.io', 'semver'],
    ['Pub', 'semver'],
    ['Hex', 'semver'],
    ['Bitnami', 'semver-loose'],
    ['SwiftURL', 'semver'],
    ['Go', 'go'],
    ['PyPI', 'pep440'],
    ['Maven', 'maven'],
    ['RubyGems', 'rubygems'],
    ['NuGet', 'nuget'],
    ['Packagist', 'composer'],
  ] as const)('%s → %s', (eco, id) => {
    expect(schemeForEcosystem(eco)).toBe(id);
  });

  it.each(['GIT', 'Hackage', 'OSS-Fuzz', '', 'debian', 'npm2', 'constructor', '__proto__'])(
    '%j has no scheme',
    (eco) => {
      expect(schemeForEcosystem(eco)).toBeUndefined();
    },
  );

  it('lists known ecosystems sorted, each mapped to a registered scheme', () => {
    const known = knownEcosystems();
    expect(known.map(([e]) => e)).toEqual([...known.map(([e]) => e)].sort());
    for (const [, id] of known) expect(ALL_IDS).toContain(id);
  });
});

/** The contract every registered scheme must meet. */
describe.each(listSchemes().map((s) => [s.id, s] as const))('%s contract', (id, scheme) => {
  const versions = versionsOf(id);
  // Every k-th version keeps the all-pairs checks fast while spanning the whole file.
  const step = Math.max(1, Math.floor(versions.length / 250));
  const excluded = new Set(KNOWN_INTRANSITIVE[id] ?? []);
  const sample = versions.filter((v, i) => i % step === 0 && !excluded.has(v));

  it('has a data file with hundreds of distinct versions', () => {
    expect(versions.length).toBeGreaterThanOrEqual(200);
  });

  it('accepts every data-file version', () => {
    expect(versions.filter((v) => !scheme.isValid(v))).toEqual([]);
  });

  it('is reflexive', () => {
    expect(versions.filter((v) => scheme.compare(v, v) !== 0)).toEqual([]);
  });

  // Violations are collected and asserted once: an expect() per pair would dominate the run time.
  it('returns exactly -1, 0 or 1 and is antisymmetric', () => {
    const bad: string[] = [];
    for (const a of sample) {
      for (const b of sample) {
        const ab = scheme.compare(a, b);
        const ba = scheme.compare(b, a);
        if (!(ab === -1 || Object.is(ab, 0) || ab === 1) || ab + ba !== 0)
          bad.push(`${a} vs ${b}: ${ab}, ${ba}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('is transitive: sorting agrees with every pairwise comparison', () => {
    const candidates = versions.filter((v) => !excluded.has(v));
    const sorted = candidates.filter((_, i) => i % Math.max(1, Math.floor(candidates.length / 400)) === 0);
    sorted.sort((a, b) => scheme.compare(a, b));
    const bad: string[] = [];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        if (scheme.compare(sorted[i]!, sorted[j]!) > 0) bad.push(`${sorted[i]} sorted before ${sorted[j]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it.each(INVALID_EVERYWHERE.map((v) => [JSON.stringify(v).slice(0, 40), v] as const))(
    'rejects %s with InvalidVersionError',
    (_name, bad) => {
      expect(scheme.isValid(bad)).toBe(false);
      expect(() => scheme.compare(bad, '1.0.0')).toThrow(InvalidVersionError);
      expect(() => scheme.compare('1.0.0', bad)).toThrow(InvalidVersionError);
    },
  );

  it('rejects non-string input with InvalidVersionError', () => {
    expect(() => scheme.compare(undefined as unknown as string, '1.0.0')).toThrow(InvalidVersionError);
    expect(scheme.isValid(42 as unknown as string)).toBe(false);
  });

  it('error messages are one line naming the scheme', () => {
    try {
      scheme.compare('1'.repeat(100_000), '1');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidVersionError);
      const e = err as InvalidVersionError;
      expect(e.scheme).toBe(id);
      expect(e.message).not.toContain('\n');
      expect(e.message.length).toBeLessThan(200);
    }
  });

  it('handles hostile inputs quickly', () => {
    const start = performance.now();
    for (const h of HOSTILE) {
      for (const other of [h, '1.0.0', '1']) {
        try {
          const r = scheme.compare(h, other);
          expect([-1, 0, 1]).toContain(r);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidVersionError);
        }
      }
    }
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
