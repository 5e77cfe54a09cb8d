import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { renderSarif } from './sarif.js';
import {
  SECRET_VALUES,
  emptyReport,
  sampleFolderReport,
  sampleReport,
} from './test-support/sample-report.js';

// The official SARIF 2.1.0 schema as shipped by Microsoft's @microsoft/jest-sarif (a devDependency).
// It is draft-04; ajv 8 reads it once its draft-04 `id` is spelled `$id` (it uses no keyword whose
// meaning changed after draft-04, such as boolean exclusiveMinimum). One of its patterns (the
// `language` tag) is not valid with the `u` flag, so patterns are compiled without it.
const require = createRequire(import.meta.url);
const schemaPath = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const raw = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<string, unknown>;
const { $schema: _draft, id, ...rest } = raw;
const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats.default(ajv);
const validate = ajv.compile({ $id: String(id), ...rest });

interface Sarif {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        rules: {
          id: string;
          help?: { markdown: string };
          helpUri?: string;
          properties: Record<string, unknown>;
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
      partialFingerprints: Record<string, string>;
      suppressions?: { kind: string; status: string; justification: string }[];
    }[];
  }[];
}
const parse = (text: string): Sarif => JSON.parse(text) as Sarif;

describe('renderSarif', () => {
  it.each([
    ['image', sampleReport()],
    ['folder', sampleFolderReport()],
    ['no findings', emptyReport()],
  ])('is valid SARIF 2.1.0 (%s)', (_name, report) => {
    const ok = validate(JSON.parse(renderSarif(report)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema validator does reject a broken log', () => {
    const log = parse(renderSarif(sampleReport())) as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(log)).toBe(false);
  });

  it('has what GitHub code scanning requires for an upload', () => {
    const log = parse(renderSarif(sampleReport()));
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('bulwark');
    const ruleIds = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    expect(run.results).toHaveLength(9);
    for (const r of run.results) {
      expect(ruleIds[r.ruleIndex]).toBe(r.ruleId);
      expect(r.message.text.length).toBeGreaterThan(0);
      expect(r.locations[0]!.physicalLocation.artifactLocation.uri).not.toMatch(/^\//);
      expect(Object.keys(r.partialFingerprints).length).toBeGreaterThan(0);
    }
    for (const rule of run.tool.driver.rules) {
      expect(Number(rule.properties['security-severity'])).toBeGreaterThanOrEqual(0);
      expect(Number(rule.properties['security-severity'])).toBeLessThanOrEqual(10);
    }
  });

  it('has one rule per vulnerability with summary, fixed versions and references', () => {
    const rules = parse(renderSarif(sampleReport())).runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(
      [...new Set(sampleReport().findings.map((f) => f.vulnerabilityId))].sort(),
    );
    const lodash = rules.find((r) => r.id === 'CVE-2021-23337')!;
    expect(lodash.help!.markdown).toContain('Command Injection in lodash');
    expect(lodash.help!.markdown).toContain('`4.17.21`');
    expect(lodash.help!.markdown).toContain('GHSA-35jh-r3h4-6jhm');
    expect(lodash.help!.markdown).toContain('https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
    expect(lodash.helpUri).toBe('https://nvd.nist.gov/vuln/detail/CVE-2021-23337');
    // CVSS score when known, the rating's stand-in otherwise.
    expect(lodash.properties['security-severity']).toBe('7.2');
    expect(rules.find((r) => r.id === 'GHSA-9xx9-hostile')!.properties['security-severity']).toBe('5.5');
    // The javascript: reference is not offered as a link.
    expect(rules.find((r) => r.id === 'GHSA-9xx9-hostile')!.help!.markdown).not.toContain('javascript:');
  });

  it('locates results at the path inside the image or the lock file in the folder', () => {
    const uris = (text: string): Record<string, string[]> => {
      const out: Record<string, string[]> = {};
      for (const r of parse(text).runs[0]!.results)
        (out[r.ruleId] ??= []).push(r.locations[0]!.physicalLocation.artifactLocation.uri);
      return out;
    };
    const image = uris(renderSarif(sampleReport()));
    expect(image['CVE-2024-5535']).toEqual(['var/lib/dpkg/status']);
    expect(image['CVE-2021-23337']).toEqual(['app/node_modules/lodash/package.json']);
    expect(image['GHSA-9xx9-hostile']).toEqual([
      'app/node_modules/%3Cscript%3Ealert(1)%3C/script%3E/package.json',
    ]);
    expect(uris(renderSarif(sampleFolderReport()))['CVE-2021-44906']).toEqual([
      'services/api/package-lock.json',
    ]);
  });

  it('emits suppressed findings with an external suppression and its justification', () => {
    const results = parse(renderSarif(sampleReport())).runs[0]!.results;
    const vex = results.find((r) => r.ruleId === 'CVE-2021-44906')!;
    expect(vex.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification:
          'VEX not_affected: minimist is only used by the build scripts, never at runtime (vex/app.openvex.json#0)',
      },
    ]);
    expect(results.find((r) => r.ruleId === 'CVE-2005-2541')!.suppressions![0]!.justification).toContain(
      '.bulwark.yaml#ignore[0]',
    );
    expect(results.find((r) => r.ruleId === 'CVE-2021-23337')!.suppressions).toBeUndefined();
  });

  it('is deterministic and never contains env values', () => {
    const a = renderSarif(sampleReport());
    const r = sampleReport();
    expect(renderSarif({ ...r, findings: [...r.findings].reverse() })).toBe(a);
    for (const secret of SECRET_VALUES) expect(a).not.toContain(secret);
  });
});

describe('renderSarif: packages that were not evaluated', () => {
  it('a tool notification per cause, a note result per package, coverage on the run; valid SARIF', () => {
    const base = sampleReport();
    const [a, b] = [base.sbom.packages[0]!, base.sbom.packages[1]!];
    const report = {
      ...base,
      notEvaluated: [
        {
          package: a,
          reason: 'unparseable-range' as const,
          detail: 'advisory DEBIAN-CVE-2024-3000: range event fixed "x!" is not a valid dpkg version',
          group: 'unparseable range event in an advisory',
          records: ['DEBIAN-CVE-2024-3000'],
        },
        {
          package: b,
          reason: 'no-advisory-source' as const,
          detail: 'no advisory data for the Node.js runtime',
          group: 'no advisory data for the Node.js runtime',
        },
      ],
      coverage: {
        packages: base.sbom.packages.length,
        evaluated: base.sbom.packages.length - 2,
        notEvaluated: 2,
        groups: [
          {
            reason: 'no-advisory-source' as const,
            group: 'no advisory data for the Node.js runtime',
            packages: 1,
          },
          {
            reason: 'unparseable-range' as const,
            group: 'unparseable range event in an advisory',
            packages: 1,
          },
        ],
      },
    };
    const doc = JSON.parse(renderSarif(report)) as {
      runs: {
        invocations: { toolExecutionNotifications: { message: { text: string } }[] }[];
        properties: unknown;
        results: { ruleId: string; level: string; properties: Record<string, unknown> }[];
      }[];
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    const run = doc.runs[0]!;
    expect(run.properties).toEqual({
      coverage: {
        packages: base.sbom.packages.length,
        evaluated: base.sbom.packages.length - 2,
        notEvaluated: 2,
      },
    });
    expect(run.invocations[0]!.toolExecutionNotifications.map((n) => n.message.text)).toEqual([
      '1 package not evaluated: no advisory data for the Node.js runtime',
      '1 package not evaluated: unparseable range event in an advisory',
    ]);
    const notes = run.results.filter((r) => r.ruleId.startsWith('not-evaluated/'));
    expect(notes.map((r) => [r.ruleId, r.level])).toEqual(
      expect.arrayContaining([
        ['not-evaluated/unparseable-range', 'note'],
        ['not-evaluated/no-advisory-source', 'note'],
      ]),
    );
    expect(notes.find((r) => r.ruleId === 'not-evaluated/unparseable-range')!.properties.records).toEqual([
      'DEBIAN-CVE-2024-3000',
    ]);
  });
});
