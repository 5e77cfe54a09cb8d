/**
 * The base-image split in every format: a report whose image has a detected base contributing layer 0
 * shows each finding as "from the base image" (package introduced in layer 0) or "added by your layers"
 * (layers 1 and 2), with counts computed here independently from the package layers.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { BaseImage } from '../../model/base-image.js';
import { formatSbom } from '../../sbom/format/index.js';
import { parseSbom } from '../../sbom/read/index.js';
import type { ScanReport } from '../types.js';
import { renderScanReport } from './index.js';
import { sampleReport } from './test-support/sample-report.js';
import { renderQuickview } from '../../cli/commands/quickview.js';

const BASE: BaseImage = {
  name: 'docker.io/library/debian:12',
  digest: `sha256:${'a'.repeat(64)}`,
  layers: 1,
  detectedBy: 'layers',
  confidence: 'high',
  knownFrom: 'scanned',
  evidence: 'layer 0 is docker.io/library/debian:12 (scanned before)',
};

function report(): ScanReport {
  const r = sampleReport();
  return { ...r, baseImage: BASE, sbom: { ...r.sbom, baseImage: BASE } };
}

/** Not-suppressed findings whose package came from layer < 1, and the rest, by severity. */
function expected(r: ScanReport): { base: Map<string, number>; added: Map<string, number> } {
  const base = new Map<string, number>();
  const added = new Map<string, number>();
  for (const f of r.findings) {
    if (f.suppressed) continue;
    const layer = f.package.layer?.index ?? f.package.locations[0]?.layer?.index;
    const into = layer !== undefined && layer < BASE.layers ? base : added;
    into.set(f.severity, (into.get(f.severity) ?? 0) + 1);
  }
  return { base, added };
}
const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

const load = (name: string): object =>
  JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;

describe('findings split into "from the base image" and "added by your layers"', () => {
  const r = report();
  const want = expected(r);

  it('the sample has findings on both sides (else the test proves nothing)', () => {
    expect(total(want.base)).toBeGreaterThan(0);
    expect(total(want.added)).toBeGreaterThan(0);
  });

  it('JSON: baseImage, per-finding origin and summary.byOrigin, valid against the schema', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    ajv.addSchema(load('bulwark-sbom-v1.schema.json'));
    const validate = ajv.compile(load('bulwark-scan-v1.schema.json'));
    const doc = JSON.parse(renderScanReport(r, 'json')) as {
      baseImage: BaseImage;
      summary: { byOrigin: Record<'base' | 'added', { total: number; bySeverity: Record<string, number> }> };
      findings: { origin?: string; package: { layer?: { index: number } } }[];
      sbom: { baseImage: BaseImage };
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.baseImage).toEqual(BASE);
    expect(doc.sbom.baseImage).toEqual(BASE);
    expect(doc.summary.byOrigin.base.total).toBe(total(want.base));
    expect(doc.summary.byOrigin.added.total).toBe(total(want.added));
    for (const [sev, n] of want.base) expect(doc.summary.byOrigin.base.bySeverity[sev]).toBe(n);
    for (const f of doc.findings)
      expect(f.origin).toBe((f.package.layer?.index ?? 99) < 1 ? 'base' : 'added');
    // Without a base image nothing changes.
    const plain = JSON.parse(renderScanReport(sampleReport(), 'json')) as Record<string, unknown> & {
      summary: Record<string, unknown>;
    };
    expect(plain.baseImage).toBeUndefined();
    expect(plain.summary.byOrigin).toBeUndefined();
  });

  it('table: the base image line, a mark per package block, the split summary', () => {
    const text = renderScanReport(r, 'table');
    expect(text).toContain(
      'Base image: docker.io/library/debian:12@sha256:aaaaaaaaaaaa (layer match, high confidence; layer 0)',
    );
    expect(text).toMatch(/^libc6 \S+ \(deb\)\s+\[base image\]$/m);
    expect(text).toMatch(/^lodash \S+ \(npm\)\s+\[your layers\]$/m);
    expect(text).toMatch(/^libssl3 \S+ \(deb\)\s+\[your layers\]$/m);
    expect(text).toContain(`From the base image: ${total(want.base)} (`);
    expect(text).toContain(`added by your layers: ${total(want.added)} (`);
    expect(renderScanReport(sampleReport(), 'table')).not.toContain('[base image]');
  });

  it('HTML: the layer view in two groups, and the base image among the facts', () => {
    const html = renderScanReport(r, 'html', { timestamp: new Date('2024-07-02T00:00:00Z') });
    const base = html.indexOf('id="layers-base"');
    const added = html.indexOf('id="layers-added"');
    expect(base).toBeGreaterThan(0);
    expect(added).toBeGreaterThan(base);
    expect(html.slice(base, added)).toContain('Layer 0');
    expect(html.slice(base, added)).not.toContain('Layer 1');
    expect(html.slice(added)).toContain('Layer 2');
    expect(html).toContain(`${total(want.base)} (`);
    expect(html).toContain('Base image');
  });

  it('markdown and quickview: the split counts', () => {
    const md = renderScanReport(r, 'markdown');
    expect(md).toContain('**Base image:**');
    expect(md).toContain('| Severity | Total | Fixable | From the base image | Added by your layers |');
    for (const [sev, n] of want.base) {
      const word = `${sev[0]!.toUpperCase()}${sev.slice(1)} |`;
      const row = md.split('\n').find((l) => l.startsWith('| ') && l.includes(word));
      expect(row, sev).toBeDefined();
      expect(row!.split('|').map((c) => c.trim())[4]).toBe(String(n));
      expect(row!.split('|').map((c) => c.trim())[5]).toBe(String(want.added.get(sev) ?? 0));
    }
    const qv = renderQuickview(r);
    expect(qv).toContain('Base image docker.io/library/debian:12');
    expect(qv).toContain(`From the base image: ${total(want.base)}`);
  });

  it('SBOM formats carry the base: JSON field, CycloneDX properties, SPDX DESCENDANT_OF', () => {
    const sbom = r.sbom;
    expect((JSON.parse(formatSbom(sbom, 'json')) as { baseImage: unknown }).baseImage).toEqual(BASE);
    const cdx = JSON.parse(formatSbom(sbom, 'cyclonedx-json')) as {
      metadata: { component: { properties: { name: string; value: string }[] } };
    };
    const props = Object.fromEntries(cdx.metadata.component.properties.map((p) => [p.name, p.value]));
    expect(props['bulwark:baseImage:name']).toBe(BASE.name);
    expect(props['bulwark:baseImage:layers']).toBe('1');
    const spdx = JSON.parse(formatSbom(sbom, 'spdx-json')) as {
      packages: { SPDXID: string; name: string }[];
      relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
    };
    const rel = spdx.relationships.find((x) => x.relationshipType === 'DESCENDANT_OF');
    expect(spdx.packages.find((p) => p.SPDXID === rel?.relatedSpdxElement)?.name).toBe(BASE.name);
    // Read back (sbom:// targets, server uploads): the base image survives; a malformed one is dropped.
    const doc = JSON.parse(formatSbom(sbom, 'json')) as Record<string, unknown>;
    expect(parseSbom(doc, 'sbom://x.json', 'x.json').baseImage).toEqual(BASE);
    expect(parseSbom({ ...doc, baseImage: { layers: -1 } }, 'sbom://x', 'x').baseImage).toBeUndefined();
    expect(
      parseSbom({ ...doc, baseImage: { ...BASE, digest: 'nope', knownFrom: 'x' } }, 'sbom://x', 'x')
        .baseImage,
    ).toEqual({ ...BASE, digest: undefined, knownFrom: undefined });
  });
});
