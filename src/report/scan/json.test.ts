import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../types.js';
import { renderJson } from './json.js';
import {
  SECRET_VALUES,
  emptyReport,
  sampleFolderReport,
  sampleReport,
} from './test-support/sample-report.js';

const load = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats.default(ajv);
// The scan schema refers to the SBOM schema (by its $id) for packages and the embedded SBOM.
ajv.addSchema(load('bulwark-sbom-v1.schema.json'));
const validate = ajv.compile(load('bulwark-scan-v1.schema.json'));

interface Doc {
  schema: string;
  summary: {
    total: number;
    fixable: number;
    kev: number;
    suppressed: number;
    bySeverity: Record<string, { total: number; fixable: number }>;
  };
  findings: {
    vulnerabilityId: string;
    aliases: string[];
    fixable: boolean;
    package: { name: string; layer?: { index: number } };
    suppressed?: { kind: string; reason: string; justification?: string };
    matches: { recordId: string; reason: string }[];
  }[];
  expiredSuppressions: { id: string }[];
  sbom: { source: { image: { config: { env: string[] } } } };
}
const parse = (r: ScanReport): Doc => JSON.parse(renderJson(r)) as Doc;

describe('renderJson', () => {
  it.each([
    ['image', sampleReport()],
    ['folder', sampleFolderReport()],
    ['no findings', emptyReport()],
  ])('validates against schemas/bulwark-scan-v1.schema.json (%s)', (_name, report) => {
    const ok = validate(JSON.parse(renderJson(report)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema rejects unknown fields, bad severities and env values in the SBOM', () => {
    const extra = { ...parse(sampleReport()), surprise: 1 };
    expect(validate(extra)).toBe(false);
    const badSeverity = parse(sampleReport()) as unknown as { findings: { severity: string }[] };
    badSeverity.findings[0]!.severity = 'severe';
    expect(validate(badSeverity)).toBe(false);
    const leak = parse(sampleReport());
    leak.sbom.source.image.config.env.push('LEAK=value');
    expect(validate(leak)).toBe(false);
  });

  it('never contains an env value or an ENV history value', () => {
    const text = renderJson(sampleReport());
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
    expect(parse(sampleReport()).sbom.source.image.config.env).toEqual(['PATH', 'NPM_TOKEN']);
  });

  it('keeps suppressed findings with the rule or statement that suppressed them', () => {
    const doc = parse(sampleReport());
    expect(doc.findings).toHaveLength(9);
    const vex = doc.findings.find((f) => f.vulnerabilityId === 'CVE-2021-44906')!;
    expect(vex.suppressed).toMatchObject({
      kind: 'vex',
      justification: 'vulnerable_code_not_in_execute_path',
    });
    const ignored = doc.findings.find((f) => f.vulnerabilityId === 'CVE-2005-2541')!;
    expect(ignored.suppressed).toMatchObject({
      kind: 'config',
      reason: 'tar is never run on untrusted archives in this image',
    });
    expect(doc.expiredSuppressions.map((e) => e.id)).toEqual(['CVE-2019-1010022']);
  });

  it('summarises the findings that stand (suppressed ones counted apart)', () => {
    const s = parse(sampleReport()).summary;
    expect(s).toMatchObject({ total: 7, fixable: 5, kev: 1, suppressed: 2 });
    expect(s.bySeverity['critical']).toEqual({ total: 2, fixable: 1 });
    expect(s.bySeverity['high']).toEqual({ total: 3, fixable: 3 });
    expect(s.bySeverity['low']).toEqual({ total: 0, fixable: 0 });
  });

  it('carries the explanation of each finding and its layer', () => {
    const f = parse(sampleReport()).findings.find((x) => x.vulnerabilityId === 'CVE-2021-23337')!;
    expect(f.aliases).toEqual(['CVE-2021-23337', 'GHSA-35jh-r3h4-6jhm']);
    expect(f.fixable).toBe(true);
    expect(f.package.layer?.index).toBe(2);
    expect(f.matches[0]).toMatchObject({
      recordId: 'GHSA-35jh-r3h4-6jhm',
      reason: 'introduced 0, fixed 4.17.21: 4.17.15 is in [0, 4.17.21)',
    });
  });

  it('orders findings by risk and is byte-identical whatever the input order', () => {
    const a = renderJson(sampleReport());
    const r = sampleReport();
    const b = renderJson({
      ...r,
      findings: [...r.findings].reverse(),
      expiredSuppressions: [...r.expiredSuppressions].reverse(),
    });
    expect(b).toBe(a);
    expect(parse(sampleReport()).findings[0]!.vulnerabilityId).toBe('CVE-2021-23337');
    expect(a.startsWith('{\n  "schema": "bulwark-scan/v1",\n  "tool": {')).toBe(true);
    expect(a.endsWith('}\n')).toBe(true);
  });
});
