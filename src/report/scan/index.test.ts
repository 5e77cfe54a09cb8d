import { describe, expect, it } from 'vitest';
import { isScanFormat, renderScanReport, SCAN_FORMATS, type ScanFormat } from './index.js';
import { SECRET_VALUES, sampleReport } from './test-support/sample-report.js';

describe('renderScanReport', () => {
  it.each(SCAN_FORMATS.map((f) => [f]))(
    '%s: renders, is deterministic with a pinned time, and leaks no env value',
    (format) => {
      const options = { timestamp: new Date('2024-07-01T00:00:00Z'), showSuppressed: true, locations: true };
      const a = renderScanReport(sampleReport(), format, options);
      expect(a.length).toBeGreaterThan(100);
      expect(a.endsWith('\n')).toBe(true);
      expect(renderScanReport(sampleReport(), format, options)).toBe(a);
      for (const secret of SECRET_VALUES) expect(a).not.toContain(secret);
    },
  );

  it('knows its formats and rejects others with a usage error', () => {
    expect(SCAN_FORMATS).toEqual(['table', 'json', 'sarif', 'cyclonedx-json', 'markdown', 'html']);
    expect(isScanFormat('sarif')).toBe(true);
    expect(isScanFormat('spdx-json')).toBe(false);
    expect(() => renderScanReport(sampleReport(), 'xml' as ScanFormat)).toThrow(
      /unknown report format "xml" \(expected one of: table, json/,
    );
  });
});
