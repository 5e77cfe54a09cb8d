import { describe, expect, it } from 'vitest';
import { UsageError } from '../../util/errors.js';
import type { Sbom } from '../../model/sbom.js';
import { SBOM_FORMATS, formatSbom, isSbomFormat, type SbomFormat } from './index.js';
import { SECRET_VALUES, sampleDirectorySbom, sampleImageSbom } from './test-support/sample-sbom.js';

const PINNED = new Date('2024-07-01T12:00:00Z');

describe('formatSbom', () => {
  it.each(SBOM_FORMATS)('%s: same input, pinned time → byte-identical output', (format) => {
    const a = formatSbom(sampleImageSbom(), format, { timestamp: PINNED });
    const b = formatSbom(sampleImageSbom(), format, { timestamp: PINNED });
    expect(b).toBe(a);
    expect(a.endsWith('\n')).toBe(true);
  });

  it.each(SBOM_FORMATS)('%s: no env value appears, for images and folders', (format) => {
    for (const sbom of [sampleImageSbom(), sampleDirectorySbom()]) {
      const text = formatSbom(sbom, format, { timestamp: PINNED, color: true });
      for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
    }
  });

  it.each(SBOM_FORMATS)('%s: every package name appears', (format) => {
    const text = formatSbom(sampleImageSbom(), format, { timestamp: PINNED });
    for (const p of sampleImageSbom().packages) expect(text).toContain(p.name);
  });

  it('passes the colour option to the table only', () => {
    expect(formatSbom(sampleImageSbom(), 'table', { color: true })).toContain('\u001b[');
    expect(formatSbom(sampleImageSbom(), 'table')).not.toContain('\u001b[');
    expect(formatSbom(sampleImageSbom(), 'json', { color: true })).not.toContain('\u001b[');
  });

  it('rejects an unknown format with a usage error', () => {
    expect(isSbomFormat('spdx-json')).toBe(true);
    expect(isSbomFormat('toString')).toBe(false);
    expect(() => formatSbom(sampleImageSbom(), 'xml' as SbomFormat)).toThrow(UsageError);
    expect(() => formatSbom(sampleImageSbom(), 'xml' as SbomFormat)).toThrow(/unknown SBOM format "xml"/);
  });

  it('formats a large SBOM in every format quickly', () => {
    const base = sampleImageSbom();
    const template = base.packages[4]!;
    const packages = Array.from({ length: 5000 }, (_, i) => ({
      ...template,
      id: `npm-pkg-${i}`,
      name: `pkg-${i}`,
      purl: `pkg:npm/pkg-${i}@1.0.0`,
    }));
    const relationships = packages
      .slice(1)
      .map((p, i) => ({ from: packages[i]!.id, to: p.id, type: 'depends-on' as const }));
    const big: Sbom = { ...base, packages, relationships };
    const start = Date.now();
    for (const format of SBOM_FORMATS) {
      const text = formatSbom(big, format, { timestamp: PINNED });
      expect(text).toContain('pkg-4999');
    }
    expect(Date.now() - start).toBeLessThan(30_000);
  });
});
