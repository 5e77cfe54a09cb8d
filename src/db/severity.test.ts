import { describe, expect, it } from 'vitest';
import {
  normalizeRating,
  ratingFromScore,
  scoreCvss,
  summarizeSeverity,
  toSeverityEntry,
} from './severity.js';

describe('scoreCvss', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.1', 9.8],
    ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', '3.1', 5.5],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N', '3.1', 3.7],
    ['CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', '3.0', 7.5],
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '2.0', 7.5],
    ['(AV:N/AC:M/Au:N/C:N/I:P/A:N)', '2.0', 4.3],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 9.3],
  ])('%s → %s %s', (vector, version, base) => {
    expect(scoreCvss(vector)).toEqual({ version, base });
  });

  it.each([
    ['CVSS:3.1/AV:N'], // partial vectors would score 0 in the library: refused
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X'],
    ['CVSS:9.9/AV:N/AC:L'],
    ['garbage'],
    [''],
  ])('refuses %j', (vector) => {
    expect(scoreCvss(vector)).toBeUndefined();
  });

  it('keeps non-CVSS severity entries as text', () => {
    expect(toSeverityEntry('Ubuntu', 'medium')).toEqual({ type: 'Ubuntu', score: 'medium' });
    expect(toSeverityEntry('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toMatchObject({
      cvssVersion: '3.1',
      baseScore: 9.8,
    });
  });
});

describe('ratings', () => {
  it.each([
    ['CRITICAL', 'critical'],
    ['MODERATE', 'medium'],
    ['Important', 'high'],
    ['unimportant', 'negligible'],
    ['low**', 'low'],
    ['not yet assigned', undefined],
    ['end-of-life', undefined],
  ])('normalizeRating(%j) = %j', (word, rating) => {
    expect(normalizeRating(word)).toBe(rating);
  });

  it.each([
    [0, '3.1', 'negligible'],
    [3.9, '3.1', 'low'],
    [4, '3.1', 'medium'],
    [7, '3.1', 'high'],
    [9, '3.1', 'critical'],
    [10, '2.0', 'high'], // CVSS 2 has no critical band
  ] as const)('ratingFromScore(%s, %s) = %s', (score, version, rating) => {
    expect(ratingFromScore(score, version)).toBe(rating);
  });
});

describe('summarizeSeverity precedence', () => {
  const v31 = toSeverityEntry('CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'); // 9.8
  const v40 = toSeverityEntry('CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N');
  const v2 = toSeverityEntry('CVSS_V2', 'AV:N/AC:L/Au:N/C:P/I:P/A:P'); // 7.5
  const base = { id: 'X-1', ecosystemSpecific: [], ecosystems: ['PyPI'] };

  it('score from the newest CVSS version, rating derived when the source has none', () => {
    const s = summarizeSeverity({ ...base, severities: [v2, v31, v40] });
    expect(s.cvssVersion).toBe('4.0');
    expect(s.score).toBe(v40.baseScore);
    expect(s.ratingSource).toBe('cvss');
    expect(s.rating).toBe(ratingFromScore(v40.baseScore!, '4.0'));
  });

  it('the source rating (GHSA database_specific.severity) wins over the score', () => {
    const s = summarizeSeverity({
      ...base,
      id: 'GHSA-aaaa-bbbb-cccc',
      severities: [v31],
      databaseSpecific: { severity: 'MODERATE' },
    });
    expect(s).toMatchObject({
      rating: 'medium',
      ratingSource: 'ghsa',
      sourceRating: 'MODERATE',
      score: 9.8,
      cvssVersion: '3.1',
    });
  });

  it('distro urgency: the highest over the affected entries', () => {
    const s = summarizeSeverity({
      ...base,
      severities: [],
      ecosystems: ['Debian'],
      ecosystemSpecific: [{ urgency: 'low' }, { urgency: 'high' }, { urgency: 'not yet assigned' }],
    });
    expect(s).toMatchObject({ rating: 'high', ratingSource: 'distro', sourceRating: 'high' });
  });

  it('RHEL-family advisories carry their rating in the summary', () => {
    const s = summarizeSeverity({
      ...base,
      summary: 'Important: kernel security update',
      severities: [],
      ecosystems: ['AlmaLinux'],
    });
    expect(s).toMatchObject({ rating: 'high', ratingSource: 'summary' });
    const other = summarizeSeverity({
      ...base,
      summary: 'Important: something',
      severities: [],
      ecosystems: ['PyPI'],
    });
    expect(other).toEqual({ rating: 'unknown', ratingSource: 'none' });
  });
});
