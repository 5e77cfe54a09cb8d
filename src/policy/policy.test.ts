/** Ignore rules, VEX parsing, suppression and filters on hand-built findings. */
import { describe, expect, it } from 'vitest';
import type { Package } from '../model/package.js';
import type { Finding, Severity } from '../match/types.js';
import { InputError, UsageError } from '../util/errors.js';
import { expiryInstant, parseIgnoreRules } from './config.js';
import {
  applyFilters,
  failingFindings,
  parseMinEpss,
  parsePackageTypes,
  parseSeverityOption,
} from './filters.js';
import { purlMatches } from './purl-pattern.js';
import { buildScanReport } from './report.js';
import { applySuppressions } from './suppress.js';
import { parseVex } from './vex.js';
import { SBOM_SCHEMA } from '../model/sbom.js';

function finding(
  id: string,
  name: string,
  version: string,
  extra: Partial<Finding> = {},
  pkgExtra: Partial<Package> = {},
): Finding {
  const type = pkgExtra.type ?? 'npm';
  return {
    id: `${id}-${name}`,
    vulnerabilityId: id,
    aliases: [id, `GHSA-${name}`],
    package: {
      id: `p-${name}`,
      name,
      version,
      type,
      purl: `pkg:${type}/${name}@${version}`,
      licenses: [],
      locations: [{ path: `/app/node_modules/${name}/package.json` }],
      foundBy: 't',
      ...pkgExtra,
    },
    severity: 'high',
    severitySource: 'ghsa',
    fixState: 'fixed',
    fixedVersion: '9.9.9',
    fixedVersions: ['9.9.9'],
    references: [],
    matches: [],
    risk: 1,
    ...extra,
  };
}

describe('PURL patterns', () => {
  it.each([
    ['pkg:npm/lodash', 'pkg:npm/lodash@4.17.15', true],
    ['pkg:npm/lodash@4.17.*', 'pkg:npm/lodash@4.17.15', true],
    ['pkg:npm/lodash@4.18.*', 'pkg:npm/lodash@4.17.15', false],
    ['pkg:npm/lodash', 'pkg:npm/lodash.merge@4.6.2', false],
    ['pkg:npm/lodash*', 'pkg:npm/lodash.merge@4.6.2', true],
    ['pkg:npm/%40babel/*', 'pkg:npm/%40babel/core@7.0.0', true],
    ['pkg:deb/debian/openssl*', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12', true],
    ['pkg:deb/debian/openssl?arch=arm64', 'pkg:deb/debian/openssl@3.0.11-1?arch=amd64', false],
    [
      'pkg:deb/debian/openssl?arch=amd64',
      'pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12',
      true,
    ],
    ['pkg:*/minimist', 'pkg:npm/minimist@1.2.0', true],
  ])('%s ~ %s → %s', (pattern, purl, expected) => {
    expect(purlMatches(pattern, purl)).toBe(expected);
  });
});

describe('ignore rules', () => {
  it('parses entries, including unquoted YAML dates', () => {
    const rules = parseIgnoreRules(
      { ignore: [{ id: 'CVE-1', reason: 'r', expires: new Date('2025-06-30T00:00:00Z'), paths: '/app/**' }] },
      'cfg.yaml',
    );
    expect(rules).toEqual([
      { source: 'cfg.yaml#ignore[0]', id: 'CVE-1', reason: 'r', expires: '2025-06-30', paths: ['/app/**'] },
    ]);
  });
  it.each([
    [{ ignore: [{ id: 'CVE-1' }] }, /ignore\[0\]: reason: reason is required/],
    [{ ignore: [{ id: 'CVE-1', reason: '  ' }] }, /reason is required/],
    [{ ignore: [{ reason: 'x' }] }, /ignore\[0\]: id:/],
    [{ ignore: [{ id: 'CVE-1', reason: 'x', package: 'lodash' }] }, /not a PURL pattern/],
    [{ ignore: [{ id: 'CVE-1', reason: 'x', expires: 'next week' }] }, /expires: "next week" is not a date/],
    [{ ignore: [{ id: 'CVE-1', reason: 'x', severity: 'low' }] }, /unknown key\(s\) severity/],
    [{ ignore: 'CVE-1' }, /ignore: expected a list/],
  ])('rejects %j', (data, message) => {
    expect(() => parseIgnoreRules(data as Record<string, unknown>, 'cfg.yaml')).toThrow(InputError);
    expect(() => parseIgnoreRules(data as Record<string, unknown>, 'cfg.yaml')).toThrow(message);
  });
  it('expires at the end of the named day (UTC)', () => {
    expect(expiryInstant('2025-06-30')).toBe(Date.parse('2025-07-01T00:00:00Z'));
    expect(expiryInstant('2025-06-30T12:00:00Z')).toBe(Date.parse('2025-06-30T12:00:00Z'));
    const rules = parseIgnoreRules({ ignore: [{ id: 'CVE-1', reason: 'r', expires: '2025-06-30' }] });
    const f = [finding('CVE-1', 'a', '1.0')];
    expect(
      applySuppressions(f, rules, [], new Date('2025-06-30T23:59:59Z')).findings[0]!.suppressed?.kind,
    ).toBe('config');
    const later = applySuppressions(f, rules, [], new Date('2025-07-01T00:00:00Z'));
    expect(later.findings[0]!.suppressed).toBeUndefined();
    expect(later.expired).toEqual([
      { source: '.bulwark.yaml#ignore[0]', id: 'CVE-1', expires: '2025-06-30', reason: 'r' },
    ]);
  });
  it('matches by alias, package pattern and path', () => {
    const rules = parseIgnoreRules({
      ignore: [
        { id: 'ghsa-a', reason: 'alias, any case' },
        { id: 'CVE-2', package: 'pkg:npm/b@1.*', reason: 'pattern' },
        { id: 'CVE-3', paths: ['/srv/**'], reason: 'path' },
      ],
    });
    const out = applySuppressions(
      [
        finding('CVE-1', 'a', '1.0'),
        finding('CVE-2', 'b', '1.2'),
        finding('CVE-2', 'b', '2.0'),
        finding('CVE-3', 'c', '1.0'),
      ],
      rules,
      [],
    ).findings;
    expect(out.map((f) => f.suppressed?.reason)).toEqual([
      'alias, any case',
      'pattern',
      undefined,
      undefined,
    ]);
  });
});

describe('VEX', () => {
  const openvex = (statements: unknown[]) => ({
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'x',
    statements,
  });
  it('latest statement wins and affected keeps the finding', () => {
    const vex = parseVex(
      openvex([
        {
          vulnerability: { name: 'CVE-1' },
          products: [{ '@id': 'pkg:npm/a@1.0' }],
          status: 'not_affected',
          justification: 'component_not_present',
          timestamp: '2024-01-01T00:00:00Z',
        },
        {
          vulnerability: { name: 'CVE-1' },
          products: [{ '@id': 'pkg:npm/a@1.0' }],
          status: 'affected',
          timestamp: '2024-02-01T00:00:00Z',
        },
        { vulnerability: 'CVE-2', products: ['pkg:npm/b'], status: 'fixed' },
      ]),
      'v.json',
    );
    const out = applySuppressions(
      [finding('CVE-1', 'a', '1.0'), finding('CVE-2', 'b', '3.0')],
      [],
      vex,
    ).findings;
    expect(out[0]!.suppressed).toBeUndefined();
    expect(out[1]!.suppressed).toMatchObject({
      kind: 'vex',
      status: 'fixed',
      source: 'v.json#statements[2]',
    });
  });
  it('an image product without subcomponents covers every package', () => {
    const vex = parseVex(
      openvex([
        {
          vulnerability: { name: 'CVE-9', aliases: ['GHSA-q'] },
          products: [{ '@id': 'pkg:oci/app@sha256:abc' }],
          status: 'not_affected',
          justification: 'inline_mitigations_already_exist',
        },
      ]),
      'v.json',
    );
    const out = applySuppressions(
      [finding('GHSA-q', 'a', '1.0'), finding('CVE-8', 'b', '1.0')],
      [],
      vex,
    ).findings;
    expect(out[0]!.suppressed?.justification).toBe('inline_mitigations_already_exist');
    expect(out[1]!.suppressed).toBeUndefined();
  });
  it('CycloneDX refs resolve through bom-refs, BOM-links and our package ids', () => {
    const vex = parseVex(
      {
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        components: [{ 'bom-ref': 'c1', purl: 'pkg:npm/a@1.0', name: 'a' }],
        vulnerabilities: [
          {
            id: 'CVE-1',
            analysis: { state: 'false_positive' },
            affects: [{ ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#c1' }],
          },
          {
            id: 'CVE-2',
            analysis: { state: 'not_affected', justification: 'code_not_reachable' },
            affects: [{ ref: 'p-b' }],
          },
          { id: 'CVE-3', analysis: { state: 'in_triage' }, affects: [{ ref: 'pkg:npm/c@1.0' }] },
          { id: 'CVE-4', ratings: [] },
        ],
      },
      'cdx.json',
    );
    expect(vex).toHaveLength(3);
    const out = applySuppressions(
      [finding('CVE-1', 'a', '1.0'), finding('CVE-2', 'b', '1.0'), finding('CVE-3', 'c', '1.0')],
      [],
      vex,
    ).findings;
    expect(out.map((f) => f.suppressed?.status)).toEqual(['not_affected', 'not_affected', undefined]);
  });
  it.each([
    [[1, 2], /not a VEX document/],
    [{ statements: [] }, /unsupported VEX format/],
    [
      {
        '@context': 'https://openvex.dev/ns',
        statements: [{ vulnerability: { name: 'CVE-1' }, status: 'maybe' }],
      },
      /unknown status "maybe"/,
    ],
    [
      { bomFormat: 'CycloneDX', vulnerabilities: [{ id: 'CVE-1', analysis: { state: 'perhaps' } }] },
      /unknown analysis state/,
    ],
  ])('rejects %j', (doc, message) => {
    expect(() => parseVex(doc, 'v.json')).toThrow(message);
  });
});

describe('filters and --fail-on', () => {
  const all: Finding[] = [
    finding('CVE-1', 'a', '1', { severity: 'critical', kev: { dateAdded: '2024-01-01', ransomware: false } }),
    finding('CVE-2', 'b', '1', {
      severity: 'low',
      fixState: 'not-fixed',
      fixedVersion: undefined,
      epss: { score: 0.4, percentile: 0.9, date: '2024-01-01' },
    }),
    finding('CVE-3', 'openssl', '1', { severity: 'medium' }, { type: 'deb', sourceName: 'openssl-src' }),
  ];
  it.each<[string, Parameters<typeof applyFilters>[1], string[]]>([
    ['severity minimum', { severities: parseSeverityOption(['medium']) }, ['CVE-1', 'CVE-3']],
    ['severity list', { severities: parseSeverityOption(['low,critical']) }, ['CVE-1', 'CVE-2']],
    ['only fixed', { onlyFixed: true }, ['CVE-1', 'CVE-3']],
    ['only unfixed', { onlyUnfixed: true }, ['CVE-2']],
    ['package type os', { packageTypes: parsePackageTypes(['os']) }, ['CVE-3']],
    ['package type npm', { packageTypes: parsePackageTypes(['npm']) }, ['CVE-1', 'CVE-2']],
    ['only kev', { onlyKev: true }, ['CVE-1']],
    ['min epss', { minEpss: parseMinEpss('30%') }, ['CVE-2']],
    ['package by source name', { packages: ['openssl-src'] }, ['CVE-3']],
  ])('%s', (_n, f, ids) => {
    expect(applyFilters(all, f).map((x) => x.vulnerabilityId)).toEqual(ids);
  });
  it('rejects bad values', () => {
    expect(() => parseSeverityOption(['severe'])).toThrow(UsageError);
    expect(() => parsePackageTypes(['rpmx'])).toThrow(/unknown type "rpmx"/);
    expect(() => parseMinEpss('2')).toThrow(/not a probability/);
    expect(() => applyFilters(all, { onlyFixed: true, onlyUnfixed: true })).toThrow(/exclude each other/);
  });
  it('fails only on shown, unsuppressed findings at or above the threshold', () => {
    const gate = (sev: Severity, list: Finding[]) => failingFindings(list, sev).map((f) => f.vulnerabilityId);
    expect(gate('medium', all)).toEqual(['CVE-1', 'CVE-3']);
    const suppressed = applySuppressions(
      all,
      parseIgnoreRules({ ignore: [{ id: 'CVE-1', reason: 'accepted' }] }),
      [],
    ).findings;
    expect(gate('critical', suppressed)).toEqual([]);
  });
  it('builds a report with suppressed findings kept and the filters recorded', () => {
    const sbom = {
      schema: SBOM_SCHEMA,
      tool: { name: 'bulwark' as const, version: 't' },
      source: { kind: 'directory' as const, target: 'x', path: '/x' },
      packages: [],
      relationships: [],
      unknowns: [],
      catalogers: [],
    };
    const r = buildScanReport(sbom, all, {
      rules: parseIgnoreRules({ ignore: [{ id: 'CVE-1', reason: 'accepted' }] }),
      filters: { onlyFixed: true },
    });
    expect(r.findings.map((f) => [f.vulnerabilityId, f.suppressed?.reason])).toEqual([
      ['CVE-1', 'accepted'],
      ['CVE-3', undefined],
    ]);
    expect(r.filters).toEqual({ onlyFixed: true });
  });
});
