import { describe, expect, it } from 'vitest';
import { gradeImage, type GradeInput, type GradedSeverity } from './grade.js';

const counts = (c: Partial<Record<GradedSeverity, number>> = {}): Record<GradedSeverity, number> => ({
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  negligible: 0,
  unknown: 0,
  ...c,
});
const input = (over: Partial<GradeInput> = {}): GradeInput => ({
  total: counts(),
  fixable: counts(),
  kev: 0,
  secrets: 0,
  ...over,
});

describe('health grade', () => {
  it('follows the documented rules, worst first', () => {
    const g = (i: GradeInput) => gradeImage(i).grade;
    expect(g(input())).toBe('A');
    expect(g(input({ total: counts({ low: 3, negligible: 2 }) }))).toBe('A');
    expect(g(input({ total: counts({ unknown: 2 }), fixable: counts({ unknown: 1 }) }))).toBe('B');
    expect(g(input({ total: counts({ medium: 1 }) }))).toBe('B');
    expect(g(input({ total: counts({ medium: 1 }), fixable: counts({ medium: 1 }) }))).toBe('C');
    expect(g(input({ total: counts({ high: 1 }) }))).toBe('C');
    expect(g(input({ total: counts({ high: 1 }), fixable: counts({ high: 1 }) }))).toBe('D');
    expect(g(input({ total: counts({ critical: 1 }) }))).toBe('D');
    expect(g(input({ total: counts({ critical: 1 }), fixable: counts({ critical: 1 }) }))).toBe('E');
    expect(g(input({ kev: 1, total: counts({ low: 1 }) }))).toBe('F');
    expect(g(input({ secrets: 1 }))).toBe('F');
  });

  it('says why, and scores fixable findings higher than unfixable ones', () => {
    const r = gradeImage(
      input({ total: counts({ critical: 2 }), fixable: counts({ critical: 1 }), secrets: 0 }),
    );
    expect(r.grade).toBe('E');
    expect(r.reasons).toEqual(['1 fixable critical finding']);
    const unfixed = gradeImage(input({ total: counts({ high: 1 }) })).score;
    const fixed = gradeImage(input({ total: counts({ high: 1 }), fixable: counts({ high: 1 }) })).score;
    expect(fixed).toBeGreaterThan(unfixed);
    expect(gradeImage(input({ secrets: 2, kev: 1 })).reasons).toEqual([
      "1 finding in CISA's KEV catalogue",
      "2 secrets in the image's layers",
    ]);
  });
});
