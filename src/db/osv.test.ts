import { describe, expect, it } from 'vitest';
import { parseOsvJson, parseOsvRecord } from './osv.js';

const minimal = { id: 'GHSA-1234-5678-9abc', modified: '2024-01-02T03:04:05Z' };

describe('parseOsvRecord', () => {
  it('normalises a full record', () => {
    const r = parseOsvRecord({
      ...minimal,
      schema_version: '1.6.0',
      published: '2024-01-01T00:00:00Z',
      aliases: ['CVE-2024-0001'],
      related: ['CGA-xxxx'],
      upstream: ['CVE-2024-0002'],
      summary: 'Prototype pollution',
      details: 'Long text',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' },
          ranges: [
            { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] },
            {
              type: 'GIT',
              repo: 'https://github.com/lodash/lodash',
              events: [{ introduced: 'abc' }, { limit: 'def' }],
            },
          ],
          versions: ['4.17.20'],
          ecosystem_specific: { affected_functions: ['merge'] },
          database_specific: { source: 'x' },
        },
      ],
      references: [{ type: 'ADVISORY', url: 'https://example.org/a' }],
      database_specific: { severity: 'HIGH' },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record).toMatchObject({
      id: 'GHSA-1234-5678-9abc',
      schemaVersion: '1.6.0',
      aliases: ['CVE-2024-0001'],
      related: ['CGA-xxxx'],
      upstream: ['CVE-2024-0002'],
      severity: [{ type: 'CVSS_V3', cvssVersion: '3.1', baseScore: 9.8 }],
      summarySeverity: { rating: 'high', ratingSource: 'ghsa', score: 9.8 },
    });
    const a = r.record.affected[0]!;
    expect(a.package).toEqual({ ecosystem: 'npm', name: 'lodash', purl: 'pkg:npm/lodash' });
    expect(a.ranges).toEqual([
      {
        type: 'SEMVER',
        events: [
          { kind: 'introduced', version: '0' },
          { kind: 'fixed', version: '4.17.21' },
        ],
      },
      {
        type: 'GIT',
        repo: 'https://github.com/lodash/lodash',
        events: [
          { kind: 'introduced', version: 'abc' },
          { kind: 'limit', version: 'def' },
        ],
      },
    ]);
    expect(a.versions).toEqual(['4.17.20']);
    expect(a.ecosystemSpecific).toEqual({ affected_functions: ['merge'] });
  });

  it('drops malformed array elements and keeps the rest (loose arrays)', () => {
    const r = parseOsvRecord({
      ...minimal,
      aliases: ['CVE-2024-1', 42, null, ''],
      affected: [
        { package: { ecosystem: 'PyPI' } }, // no name: dropped
        'nonsense',
        {
          package: { ecosystem: 'PyPI', name: 'jinja2' },
          ranges: [
            {
              type: 'ECOSYSTEM',
              events: [
                { introduced: '0' },
                { fixed: 1 },
                { fixed: '3.1.3', introduced: '1' },
                { fixed: '3.1.4' },
              ],
            },
            { type: 'WEIRD', events: [{ introduced: '0' }] },
            { type: 'ECOSYSTEM', events: [] },
          ],
          severity: [{ type: 'CVSS_V3' }],
        },
      ],
      references: [{ url: 'https://x' }, { type: 'WEB' }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record.aliases).toEqual(['CVE-2024-1']);
    expect(r.record.affected).toHaveLength(1);
    expect(r.record.affected[0]!.ranges).toEqual([
      {
        type: 'ECOSYSTEM',
        events: [
          { kind: 'introduced', version: '0' },
          { kind: 'fixed', version: '3.1.4' },
        ],
      },
    ]);
    expect(r.record.affected[0]!.severity).toEqual([]);
    expect(r.record.references).toEqual([{ type: 'WEB', url: 'https://x' }]);
  });

  it('keeps the withdrawn timestamp (the importer excludes the record)', () => {
    const r = parseOsvRecord({ ...minimal, withdrawn: '2024-02-01T00:00:00Z' });
    expect(r.ok && r.record.withdrawn).toBe('2024-02-01T00:00:00Z');
  });

  it.each([
    [null, 'not a JSON object'],
    [[1, 2], 'not a JSON object'],
    [{ modified: '2024-01-01T00:00:00Z' }, 'id'],
    [{ id: 'X-1' }, 'modified'],
    [{ id: 'X-1', modified: 'yesterday' }, 'modified: not an RFC 3339 timestamp'],
    [{ id: '../../etc/passwd', modified: '2024-01-01T00:00:00Z' }, 'not a valid OSV id'],
  ])('rejects %j with a reason', (input, reason) => {
    const r = parseOsvRecord(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('reports invalid JSON in one line', () => {
    const r = parseOsvJson('{"id": "X-1", "modified": ');
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.reason).toMatch(/^invalid JSON: [^\n]+$/);
  });
});
