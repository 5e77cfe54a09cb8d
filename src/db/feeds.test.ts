import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../util/errors.js';
import { decodeEpss, parseEpss } from './epss.js';
import { parseKev } from './kev.js';
import { HAVE_VULNDATA, KEV_FILE, VULNDATA_DIR } from './test-support/shared.js';
import { prerequisite } from '../test-support/require.js';

const CSV = [
  '#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z',
  'cve,epss,percentile',
  'CVE-2021-44228,0.94358,0.99957',
  'CVE-2023-44487,0.94453,0.99980',
  'CVE-1999-0001,0.00383,0.73075',
  'not-a-cve,0.5,0.5',
  'CVE-2024-0001,1.5,0.2',
  'CVE-2024-0002,,0.2',
  '',
].join('\n');

describe('EPSS CSV', () => {
  it('parses the header comment and rows, skipping malformed rows', () => {
    const r = parseEpss(CSV, 'epss.csv');
    expect(r.modelVersion).toBe('v2025.03.14');
    expect(r.date).toBe('2025-08-25');
    expect(r.rejected).toBe(3);
    expect(r.entries).toEqual([
      { cve: 'CVE-2021-44228', score: 0.94358, percentile: 0.99957, date: '2025-08-25' },
      { cve: 'CVE-2023-44487', score: 0.94453, percentile: 0.9998, date: '2025-08-25' },
      { cve: 'CVE-1999-0001', score: 0.00383, percentile: 0.73075, date: '2025-08-25' },
    ]);
  });

  it('reads gzip-compressed data', () => {
    expect(parseEpss(decodeEpss(gzipSync(CSV), 'x.gz'), 'x.gz').entries).toHaveLength(3);
  });

  it('a truncated gzip is a clear error', () => {
    const gz = gzipSync(CSV);
    expect(() => decodeEpss(gz.subarray(0, gz.length - 12), 'cut.csv.gz')).toThrow(
      /cut\.csv\.gz: cannot decompress EPSS data/,
    );
  });

  it.each([
    ['cve,score\nCVE-2024-1,0.1', /expected a "cve,epss,percentile" header/],
    ['#model_version:v1\ncve,epss,percentile\nCVE-2024-0001,0.1,0.2', /no score_date/],
    ['<html>oops</html>', /not an EPSS CSV/],
  ])('rejects %j', (text, message) => {
    expect(() => parseEpss(text, 'bad.csv')).toThrow(InputError);
    expect(() => parseEpss(text, 'bad.csv')).toThrow(message);
  });

  const fixtures = join(VULNDATA_DIR, 'native', 'vunnel-fixtures', 'epss', 'test-fixtures');
  it.skipIf(!prerequisite(existsSync(fixtures), `EPSS fixture test: ${fixtures} is missing`))(
    'agrees with the public EPSS excerpts (vunnel fixtures)',
    () => {
      const good = parseEpss(readFileSync(join(fixtures, 'example-1.csv'), 'utf8'), 'example-1.csv');
      expect(good.date).toBe('2025-02-20');
      expect(good.entries.find((e) => e.cve === 'CVE-1999-0002')).toEqual({
        cve: 'CVE-1999-0002',
        score: 0.01328,
        percentile: 0.85996,
        date: '2025-02-20',
      });
      expect(() =>
        parseEpss(readFileSync(join(fixtures, 'invalid-header.csv'), 'utf8'), 'invalid-header.csv'),
      ).toThrow(/header/);
      expect(() =>
        parseEpss(readFileSync(join(fixtures, 'missing-date.csv'), 'utf8'), 'missing-date.csv'),
      ).toThrow(/score_date/);
    },
  );
});

describe('KEV catalog', () => {
  it('parses entries and drops malformed ones', () => {
    const r = parseKev(
      {
        catalogVersion: '2025.08.25',
        vulnerabilities: [
          {
            cveID: 'CVE-2021-44228',
            vendorProject: 'Apache',
            product: 'Log4j2',
            vulnerabilityName: 'Log4Shell',
            dateAdded: '2021-12-10',
            dueDate: '2021-12-24',
            knownRansomwareCampaignUse: 'Known',
            requiredAction: 'Patch.',
          },
          { cveID: 'CVE-2020-0001', dateAdded: '2020-01-01', knownRansomwareCampaignUse: 'Unknown' },
          { cveID: 'nope', dateAdded: '2020-01-01' },
          { cveID: 'CVE-2020-0002' },
        ],
      },
      'kev.json',
    );
    expect(r.rejected).toBe(2);
    expect(r.catalogVersion).toBe('2025.08.25');
    expect(r.entries).toEqual([
      { cve: 'CVE-2020-0001', dateAdded: '2020-01-01', ransomware: false },
      {
        cve: 'CVE-2021-44228',
        vendor: 'Apache',
        product: 'Log4j2',
        name: 'Log4Shell',
        dateAdded: '2021-12-10',
        dueDate: '2021-12-24',
        ransomware: true,
        requiredAction: 'Patch.',
      },
    ]);
  });

  it('rejects documents that are not the catalog', () => {
    expect(() => parseKev({ vulnerabilities: 'x' }, 'x.json')).toThrow(/x\.json: not a CISA KEV catalog/);
  });

  it.skipIf(!HAVE_VULNDATA)('parses the real catalog without rejects', () => {
    const data = JSON.parse(readFileSync(KEV_FILE, 'utf8')) as { count: number };
    const r = parseKev(data, 'kev');
    expect(r.rejected).toBe(0);
    expect(r.entries).toHaveLength(data.count);
    expect(r.entries.some((e) => e.ransomware)).toBe(true);
  });
});
