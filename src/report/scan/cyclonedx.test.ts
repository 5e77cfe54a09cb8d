import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVexFiles } from '../../policy/vex.js';
import { renderCycloneDx } from './cyclonedx.js';
import {
  SECRET_VALUES,
  emptyReport,
  sampleFolderReport,
  sampleReport,
} from './test-support/sample-report.js';

// The official CycloneDX 1.6 JSON schema, shipped in the CycloneDX library (as the SBOM tests use it).
const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
const PINNED = new Date('2024-07-01T12:00:00Z');

interface Vuln {
  'bom-ref': string;
  id: string;
  source: { name: string; url?: string };
  references?: { id: string; source: { name: string } }[];
  ratings: {
    severity: string;
    score?: number;
    vector?: string;
    method?: string;
    source?: { name: string };
  }[];
  description?: string;
  recommendation?: string;
  advisories?: { url: string }[];
  published?: string;
  updated?: string;
  analysis?: { state: string; justification?: string; detail?: string };
  affects: { ref: string; versions: { version: string; status: string }[] }[];
  properties?: { name: string; value: string }[];
}
interface Bom {
  specVersion: string;
  serialNumber: string;
  components: { 'bom-ref': string; name: string; purl?: string }[];
  vulnerabilities: Vuln[];
}
const parse = (text: string): Bom => JSON.parse(text) as Bom;
const vulns = (bom: Bom, id: string): Vuln[] => bom.vulnerabilities.filter((v) => v.id === id);

describe('renderCycloneDx', () => {
  it.each([
    ['image', sampleReport()],
    ['folder', sampleFolderReport()],
    ['no findings', emptyReport()],
  ])('is valid CycloneDX 1.6 (%s)', async (_name, report) => {
    expect(await validator.validate(renderCycloneDx(report, { timestamp: PINNED }))).toBeNull();
  });

  it('the validator does reject a broken analysis state', async () => {
    const bom = parse(renderCycloneDx(sampleReport(), { timestamp: PINNED }));
    bom.vulnerabilities.find((v) => v.analysis)!.analysis!.state = 'ignored';
    expect(await validator.validate(JSON.stringify(bom))).not.toBeNull();
  });

  it('keeps every SBOM component and points affects[].ref at their bom-refs', () => {
    const report = sampleReport();
    const bom = parse(renderCycloneDx(report, { timestamp: PINNED }));
    expect(bom.specVersion).toBe('1.6');
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    for (const p of report.sbom.packages) expect(refs).toContain(p.id);
    for (const v of bom.vulnerabilities) {
      expect(v.affects.length).toBeGreaterThan(0);
      for (const a of v.affects) expect(refs).toContain(a.ref);
    }
    const [lodash] = vulns(bom, 'CVE-2021-23337');
    expect(lodash!.affects).toEqual([
      {
        ref: 'pkg-npm-lodash',
        versions: [
          { version: '4.17.15', status: 'affected' },
          { version: '4.17.21', status: 'unaffected' },
        ],
      },
    ]);
  });

  it('describes each vulnerability: source, aliases, ratings, advisories, dates, KEV and EPSS', () => {
    const [v] = vulns(parse(renderCycloneDx(sampleReport(), { timestamp: PINNED })), 'CVE-2021-23337');
    expect(v!.source).toEqual({ name: 'NVD', url: 'https://nvd.nist.gov/vuln/detail/CVE-2021-23337' });
    expect(v!.references).toEqual([
      {
        id: 'GHSA-35jh-r3h4-6jhm',
        source: { name: 'GitHub', url: 'https://github.com/advisories/GHSA-35jh-r3h4-6jhm' },
      },
    ]);
    expect(v!.ratings).toEqual([
      {
        source: { name: 'ghsa' },
        score: 7.2,
        severity: 'high',
        method: 'CVSSv31',
        vector: 'CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H',
      },
    ]);
    expect(v!.description).toBe('Command Injection in lodash');
    expect(v!.recommendation).toBe('Upgrade lodash 4.17.15 to 4.17.21.');
    expect(v!.advisories!.map((a) => a.url)).toContain('https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
    expect(v!.published).toBe('2021-02-15T13:15:00.000Z');
    expect(v!.properties).toContainEqual({ name: 'bulwark:kev:dateAdded', value: '2024-02-01' });
    expect(v!.properties).toContainEqual({ name: 'bulwark:epss:score', value: '0.9123' });
    expect(v!.analysis).toBeUndefined();
    // Untrusted references that are not http(s) never become advisories.
    const [hostile] = vulns(
      parse(renderCycloneDx(sampleReport(), { timestamp: PINNED })),
      'GHSA-9xx9-hostile',
    );
    expect(hostile!.advisories!.map((a) => a.url)).toEqual(['https://example.org/advisory?a=1&b=%3C2%3E']);
    expect(hostile!.ratings).toEqual([{ source: { name: 'ghsa' }, severity: 'medium', method: 'other' }]);
  });

  it('gives suppressed findings an analysis: VEX justification kept, ignore rules with their reason', () => {
    const bom = parse(renderCycloneDx(sampleReport(), { timestamp: PINNED }));
    expect(vulns(bom, 'CVE-2021-44906')[0]!.analysis).toEqual({
      state: 'not_affected',
      justification: 'code_not_reachable',
      detail:
        'VEX statement vex/app.openvex.json#0: minimist is only used by the build scripts, never at runtime',
    });
    expect(vulns(bom, 'CVE-2005-2541')[0]!.analysis).toEqual({
      state: 'not_affected',
      detail:
        'Ignore rule .bulwark.yaml#ignore[0]: tar is never run on untrusted archives in this image (until 2099-12-31)',
    });
  });

  it('splits an id suppressed for one package and not another, and maps VEX fixed to resolved', async () => {
    const r = sampleReport();
    const base = r.findings.find((f) => f.vulnerabilityId === 'CVE-2024-5535')!;
    const other = r.sbom.packages.find((p) => p.name === 'libc6')!;
    const twin = {
      ...base,
      id: 'f-twin',
      package: other,
      suppressed: { kind: 'vex' as const, source: 'vex.cdx.json#v1', reason: 'backported', status: 'fixed' },
    };
    const text = renderCycloneDx({ ...r, findings: [...r.findings, twin] }, { timestamp: PINNED });
    expect(await validator.validate(text)).toBeNull();
    const both = vulns(parse(text), 'CVE-2024-5535');
    expect(both.map((v) => v['bom-ref'])).toEqual([
      'bulwark:vulnerability:CVE-2024-5535',
      'bulwark:vulnerability:CVE-2024-5535#2',
    ]);
    expect(both[0]!.analysis).toBeUndefined();
    expect(both[0]!.affects.map((a) => a.ref)).toEqual(['pkg-deb-libssl3']);
    expect(both[1]!.analysis).toMatchObject({ state: 'resolved' });
    expect(both[1]!.affects.map((a) => a.ref)).toEqual(['pkg-deb-libc6']);
  });

  it('round-trips as VEX: Bulwark reads its own output back as the same suppressions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-cdx-vex-'));
    try {
      writeFileSync(join(dir, 'out.cdx.json'), renderCycloneDx(sampleReport(), { timestamp: PINNED }));
      const statements = loadVexFiles(['out.cdx.json'], dir);
      // Only the suppressed findings are statements; findings that stand have no analysis.
      expect(statements.map((s) => [s.ids[0], s.status, s.products]).sort()).toEqual([
        [
          'CVE-2005-2541',
          'not_affected',
          ['pkg:deb/debian/tar@1.34%2Bdfsg-1.2%2Bdeb12u1?arch=amd64&distro=debian-12'],
        ],
        ['CVE-2021-44906', 'not_affected', ['pkg:npm/minimist@1.2.0']],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is byte-identical with a pinned time whatever the input order, and has no env values', () => {
    const a = renderCycloneDx(sampleReport(), { timestamp: PINNED });
    const r = sampleReport();
    expect(renderCycloneDx({ ...r, findings: [...r.findings].reverse() }, { timestamp: PINNED })).toBe(a);
    for (const secret of SECRET_VALUES) expect(a).not.toContain(secret);
    expect(parse(a).serialNumber).toMatch(
      /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});

describe('renderCycloneDx: packages that were not evaluated', () => {
  it('counts them on the metadata and marks each component; still valid CycloneDX 1.6', async () => {
    const base = emptyReport();
    const pkg = base.sbom.packages[0]!;
    const report = {
      ...base,
      notEvaluated: [
        {
          package: pkg,
          reason: 'no-advisory-ecosystem' as const,
          detail: 'no advisory ecosystem for amzn 2023 (Amazon Linux)',
          group: 'no advisory ecosystem for amzn 2023 (Amazon Linux)',
        },
      ],
      coverage: {
        packages: base.sbom.packages.length,
        evaluated: base.sbom.packages.length - 1,
        notEvaluated: 1,
        groups: [
          {
            reason: 'no-advisory-ecosystem' as const,
            group: 'no advisory ecosystem for amzn 2023 (Amazon Linux)',
            packages: 1,
          },
        ],
      },
    };
    const text = renderCycloneDx(report, { timestamp: PINNED });
    expect(await validator.validate(text)).toBeNull();
    const bom = JSON.parse(text) as {
      metadata: { properties: { name: string; value: string }[] };
      components: { 'bom-ref': string; properties?: { name: string; value: string }[] }[];
    };
    expect(bom.metadata.properties).toEqual(
      expect.arrayContaining([
        { name: 'bulwark:coverage:evaluated', value: String(base.sbom.packages.length - 1) },
        { name: 'bulwark:coverage:notEvaluated', value: '1' },
        {
          name: 'bulwark:notEvaluated:no-advisory-ecosystem',
          value: '1: no advisory ecosystem for amzn 2023 (Amazon Linux)',
        },
      ]),
    );
    const marked = bom.components.filter((c) =>
      c.properties?.some((p) => p.name === 'bulwark:notEvaluated:reason'),
    );
    expect(marked.map((c) => c['bom-ref'])).toEqual([pkg.id]);
  });
});
