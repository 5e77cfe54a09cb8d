import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getScheme } from '../version/index.js';
import { evaluate } from './affected.js';
import { parseOsvJson, parseOsvRecord } from './osv.js';
import { OSV_DIR } from './test-support/shared.js';
import type { OsvRecord } from './types.js';
import { prerequisite } from '../test-support/require.js';

function record(affected: unknown[], id = 'TEST-1'): OsvRecord {
  const r = parseOsvRecord({ id, modified: '2024-01-01T00:00:00Z', affected });
  if (!r.ok) throw new Error(r.reason);
  return r.record;
}

const eco = (ecosystem: string, name: string, events: object[], extra: object = {}) => ({
  package: { ecosystem, name },
  ranges: [{ type: 'ECOSYSTEM', events }],
  ...extra,
});

describe('evaluate', () => {
  // GO-2023-1571 (golang.org/x/net): SEMVER introduced 0, fixed 0.7.0.
  const go = record(
    [
      {
        package: { ecosystem: 'Go', name: 'golang.org/x/net' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.7.0' }] }],
      },
    ],
    'GO-2023-1571',
  );

  it.each([
    [
      'v0.0.0-20210226172049-e18ecbb05110',
      true,
      'introduced 0, fixed 0.7.0: v0.0.0-20210226172049-e18ecbb05110 is in [0, 0.7.0)',
    ],
    ['v0.6.9', true, 'introduced 0, fixed 0.7.0: v0.6.9 is in [0, 0.7.0)'],
    ['v0.7.0', false, 'v0.7.0 is not in [0, 0.7.0)'],
    ['v0.10.0', false, 'v0.10.0 is not in [0, 0.7.0)'], // a string compare would call 0.10.0 < 0.7.0
  ])('Go %s → affected=%s', (version, affected, reason) => {
    const e = evaluate(go, { ecosystem: 'Go', name: 'golang.org/x/net', version });
    expect(e.affected).toBe(affected);
    expect(e.reason).toBe(reason);
    expect(e.fixedVersions).toEqual(['0.7.0']);
    if (affected)
      expect(e.range).toEqual({ type: 'SEMVER', scheme: 'semver-loose', introduced: '0', fixed: '0.7.0' });
  });

  it('pairs several intervals in one range and sorts fixed versions by the scheme', () => {
    const r = record([
      eco('PyPI', 'Django', [
        { introduced: '4.2' },
        { fixed: '4.2.10' },
        { introduced: '0' },
        { fixed: '3.2.24' },
        { introduced: '5.0' },
        { fixed: '5.0.2' },
      ]),
    ]);
    const at = (version: string) => evaluate(r, { ecosystem: 'PyPI', name: 'django', version });
    expect(at('3.2.23').affected).toBe(true);
    expect(at('3.2.24').affected).toBe(false);
    expect(at('4.1.0').affected).toBe(false);
    expect(at('4.2.9')).toMatchObject({
      affected: true,
      reason: 'introduced 4.2, fixed 4.2.10: 4.2.9 is in [4.2, 4.2.10)',
    });
    expect(at('5.0rc1').affected).toBe(false); // PEP 440: a pre-release of 5.0 sorts before 5.0
    expect(at('5.0.1').affected).toBe(true);
    expect(at('3.2.23').fixedVersions).toEqual(['3.2.24', '4.2.10', '5.0.2']);
  });

  it('last_affected is inclusive, limit exclusive', () => {
    const last = record([eco('Maven', 'org.example:lib', [{ introduced: '1.0' }, { last_affected: '1.5' }])]);
    expect(evaluate(last, { ecosystem: 'Maven', name: 'org.example:lib', version: '1.5' })).toMatchObject({
      affected: true,
      reason: 'introduced 1.0, last_affected 1.5: 1.5 is in [1.0, 1.5]',
      range: { lastAffected: '1.5' },
    });
    expect(evaluate(last, { ecosystem: 'Maven', name: 'org.example:lib', version: '1.5.1' }).affected).toBe(
      false,
    );
    const limit = record([eco('crates.io', 'smallvec', [{ introduced: '1.0.0' }, { limit: '2.0.0' }])]);
    expect(evaluate(limit, { ecosystem: 'crates.io', name: 'smallvec', version: '1.9.9' }).affected).toBe(
      true,
    );
    expect(evaluate(limit, { ecosystem: 'crates.io', name: 'smallvec', version: '2.0.0' }).affected).toBe(
      false,
    );
  });

  it('an open interval (no fix yet)', () => {
    const r = record([eco('npm', 'left-pad', [{ introduced: '1.1.0' }])]);
    expect(evaluate(r, { ecosystem: 'npm', name: 'left-pad', version: '9.0.0' })).toMatchObject({
      affected: true,
      reason: 'introduced 1.1.0, no fix: 9.0.0 is in [1.1.0, ∞)',
      fixedVersions: [],
    });
    expect(evaluate(r, { ecosystem: 'npm', name: 'left-pad', version: '1.0.9' }).affected).toBe(false);
  });

  it('dpkg: epochs and tildes decide, on the distro release given', () => {
    const r = record([eco('Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }])]);
    const at = (version: string, ecosystem = 'Debian:12') =>
      evaluate(r, { ecosystem, name: 'openssl', version });
    expect(at('3.0.11-1~deb12u1').affected).toBe(true);
    expect(at('3.0.11-1~deb12u2').affected).toBe(false);
    expect(at('3.0.11-1').affected).toBe(false); // ~ sorts before the empty string
    expect(at('1:1.0.0-1').affected).toBe(false); // an epoch beats any upstream version
    expect(at('3.0.9-1', 'Debian:11').affected).toBe(false); // another release: no entry
    expect(at('3.0.9-1', 'Debian:11').reason).toContain('has no entry for Debian:11/openssl');
  });

  it('explicit versions lists', () => {
    const r = record([{ package: { ecosystem: 'PyPI', name: 'requests' }, versions: ['2.3.0', '2.4.0'] }]);
    expect(evaluate(r, { ecosystem: 'PyPI', name: 'Requests', version: '2.4.0' })).toMatchObject({
      affected: true,
      reason: '2.4.0 is listed in the affected versions',
    });
    expect(evaluate(r, { ecosystem: 'PyPI', name: 'requests', version: '2.4' }).affected).toBe(true); // PEP 440: 2.4 == 2.4.0
    expect(evaluate(r, { ecosystem: 'PyPI', name: 'requests', version: '2.5.0' })).toMatchObject({
      affected: false,
      reason: '2.5.0 is not among the 2 listed version(s)',
    });
  });

  it('GIT ranges are kept but not evaluated', () => {
    const r = record([
      {
        package: { ecosystem: 'Go', name: 'example.com/x' },
        ranges: [{ type: 'GIT', repo: 'https://x', events: [{ introduced: '0' }, { fixed: 'abc' }] }],
      },
    ]);
    expect(r.affected[0]!.ranges[0]!.type).toBe('GIT');
    expect(evaluate(r, { ecosystem: 'Go', name: 'example.com/x', version: 'v1.0.0' })).toMatchObject({
      affected: false,
      reason: 'GIT ranges are not evaluated',
    });
  });

  it('an unparseable package version is indeterminate (never a plain "not affected")', () => {
    const r = record([eco('npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }])]);
    const e = evaluate(r, { ecosystem: 'npm', name: 'lodash', version: 'not-a-version!' });
    expect(e.affected).toBe(false);
    expect(e.reason).toMatch(/^unparseable: "not-a-version!" is not a valid semver version$/);
    expect(e.indeterminate).toEqual({
      kind: 'installed-version',
      detail: '"not-a-version!" is not a valid semver version',
    });
  });

  it('an accepts filter narrows the entries, fixed versions included', () => {
    const r = record([
      eco('Red Hat:enterprise_linux:8::appstream', 'ruby', [{ introduced: '0' }, { fixed: '2.5.9-111.el8' }]),
      eco('Red Hat:enterprise_linux:9::appstream', 'ruby', [{ introduced: '0' }, { fixed: '3.0.7-163.el9' }]),
    ]);
    const el8 = (entry: { package?: { ecosystem: string } }) => entry.package!.ecosystem.includes(':8:');
    expect(
      evaluate(r, { ecosystem: 'Red Hat', name: 'ruby', version: '2.5.9-111.el8', accepts: el8 }),
    ).toMatchObject({ affected: false, fixedVersions: ['2.5.9-111.el8'] });
    expect(evaluate(r, { ecosystem: 'Red Hat', name: 'ruby', version: '2.5.9-111.el8' }).affected).toBe(true);
  });

  it('an ecosystem without a version scheme is not matched by string comparison', () => {
    const r = record([eco('Hackage', 'aeson', [{ introduced: '0' }, { fixed: '2.0.1.0' }])]);
    expect(evaluate(r, { ecosystem: 'Hackage', name: 'aeson', version: '1.0' })).toMatchObject({
      affected: false,
      reason: 'no version scheme for ecosystem Hackage',
    });
  });

  it('events out of order are sorted by the scheme before pairing', () => {
    const r = record([eco('RubyGems', 'rack', [{ fixed: '2.2.8' }, { introduced: '2.0.0' }])]);
    expect(evaluate(r, { ecosystem: 'RubyGems', name: 'rack', version: '2.1.4' })).toMatchObject({
      affected: true,
      reason: 'introduced 2.0.0, fixed 2.2.8: 2.1.4 is in [2.0.0, 2.2.8)',
    });
  });
});

describe('SEMVER ranges with versions that are not strict SemVer', () => {
  it('read a short or zero-padded version numerically, in any ecosystem', () => {
    const r = record([
      {
        package: { ecosystem: 'crates.io', name: 'demo' },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '2.4' }, { fixed: '2.4.010' }] }],
      },
    ]);
    const at = (version: string) => evaluate(r, { ecosystem: 'crates.io', name: 'demo', version });
    expect(at('2.4.0')).toMatchObject({
      affected: true,
      reason: 'introduced 2.4, fixed 2.4.010: 2.4.0 is in [2.4, 2.4.010)',
      range: { type: 'SEMVER', scheme: 'semver-loose', introduced: '2.4', fixed: '2.4.010' },
    });
    expect(at('2.4.9').affected).toBe(true);
    expect(at('2.4.10').affected).toBe(false); // 010 is ten, not a string that sorts before 9
    expect(at('2.3.99').affected).toBe(false);
  });

  it('an ECOSYSTEM range of npm stays strict SemVer', () => {
    const r = record([eco('npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }])]);
    expect(evaluate(r, { ecosystem: 'npm', name: 'lodash', version: '4.17' })).toMatchObject({
      affected: false,
      reason: 'unparseable: "4.17" is not a valid semver version',
    });
  });
});

const BITNAMI_DIR = join(OSV_DIR, 'Bitnami');
const HAVE_BITNAMI = prerequisite(
  existsSync(BITNAMI_DIR),
  `the real Bitnami record tests: ${BITNAMI_DIR} is missing`,
);

function bitnami(id: string): OsvRecord {
  const r = parseOsvJson(readFileSync(join(BITNAMI_DIR, `${id}.json`), 'utf8'));
  if (!r.ok) throw new Error(`${id}: ${r.reason}`);
  return r.record;
}

describe.skipIf(!HAVE_BITNAMI)('real Bitnami records with zero-padded date versions (minio)', () => {
  it('the strict SemVer scheme cannot read their fixed versions: both ranges were unparseable before', () => {
    for (const v of ['2021.03.04', '2023.03.20']) {
      expect(getScheme('semver').isValid(v)).toBe(false);
      expect(getScheme('semver-loose').isValid(v)).toBe(true);
    }
  });

  // introduced 0, fixed 2021.03.04; Bitnami's minio images write the same date as 2021.3.4.
  it.each([
    ['2020.12.23', true],
    ['2021.3.3', true],
    ['2021.03.03', true],
    ['2021.3.4', false],
    ['2021.03.04', false],
    ['2021.3.17', false],
    ['2024.1.31', false],
  ])('BIT-minio-2021-21362 at %s → affected=%s', (version, affected) => {
    const e = evaluate(bitnami('BIT-minio-2021-21362'), { ecosystem: 'Bitnami', name: 'minio', version });
    expect(e.affected).toBe(affected);
    expect(e.reason).toBe(
      affected
        ? `introduced 0, fixed 2021.03.04: ${version} is in [0, 2021.03.04)`
        : `${version} is not in [0, 2021.03.04)`,
    );
    expect(e.fixedVersions).toEqual(['2021.03.04']);
  });

  // introduced 2019.12.17, fixed 2023.03.20 (zero-padded).
  it.each([
    ['2019.12.16', false],
    ['2019.12.17', true],
    ['2020.4.23', true],
    ['2023.3.13', true],
    ['2023.3.20', false],
    ['2023.03.20', false],
    ['2024.1.31', false],
  ])('BIT-minio-2023-28432 at %s → affected=%s', (version, affected) => {
    const e = evaluate(bitnami('BIT-minio-2023-28432'), { ecosystem: 'Bitnami', name: 'minio', version });
    expect(e.affected).toBe(affected);
    if (affected) {
      expect(e.range).toEqual({
        type: 'SEMVER',
        scheme: 'semver-loose',
        introduced: '2019.12.17',
        fixed: '2023.03.20',
      });
    }
  });

  it('a version that is no SemVer at all still leaves the range unevaluated, saying why', () => {
    // BIT-mastodon-2026-47777: introduced "nightly.2026-03-10.0", fixed 4.6.0.
    const e = evaluate(bitnami('BIT-mastodon-2026-47777'), {
      ecosystem: 'Bitnami',
      name: 'mastodon',
      version: '4.5.0',
    });
    expect(e).toMatchObject({
      affected: false,
      reason: 'range event introduced "nightly.2026-03-10.0" is not a valid semver-loose version',
      fixedVersions: ['4.6.0'],
      // Not "not affected": the match stage reports the package as not evaluated for this record.
      indeterminate: {
        kind: 'range-event',
        detail: 'range event introduced "nightly.2026-03-10.0" is not a valid semver-loose version',
      },
    });
  });

  it('every SEMVER event of the Bitnami data parses, except the one nightly build name', () => {
    const strict = getScheme('semver');
    const loose = getScheme('semver-loose');
    const badStrict = new Set<string>();
    const badLoose = new Set<string>();
    let events = 0;
    for (const name of readdirSync(BITNAMI_DIR).sort()) {
      if (!name.endsWith('.json')) continue;
      const r = parseOsvJson(readFileSync(join(BITNAMI_DIR, name), 'utf8'));
      if (!r.ok) continue;
      for (const a of r.record.affected) {
        for (const range of a.ranges) {
          if (range.type !== 'SEMVER') continue;
          for (const e of range.events) {
            if (e.kind === 'introduced' && e.version === '0') continue;
            events++;
            if (!strict.isValid(e.version)) badStrict.add(e.version);
            if (!loose.isValid(e.version)) badLoose.add(e.version);
          }
        }
      }
    }
    expect(events).toBeGreaterThan(10_000);
    expect([...badLoose]).toEqual(['nightly.2026-03-10.0']);
    // Before this scheme: the nightly name plus every zero-padded minio date.
    expect(badStrict.size).toBeGreaterThanOrEqual(20);
    expect([...badStrict].filter((v) => !/^20[0-9]{2}\.[01][0-9]\.[0-3][0-9]$/.test(v))).toEqual([
      'nightly.2026-03-10.0',
    ]);
  });
});
