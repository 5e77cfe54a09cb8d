/**
 * The health grade of an image, A (best) to F (worst), from what its newest scan found. Kept in this one
 * module so a policy engine's grade can replace it: callers only use {@link gradeImage} and
 * {@link GRADES}.
 *
 * The grade is the first rule that matches, from the worst:
 *
 * | grade | when                                                                                |
 * | ----- | ----------------------------------------------------------------------------------- |
 * | F     | a vulnerability in CISA's KEV catalogue, or a secret in any layer (even deleted)     |
 * | E     | a critical vulnerability with a fix available                                        |
 * | D     | a critical vulnerability without a fix, or a high one with a fix                     |
 * | C     | a high vulnerability without a fix, or a medium one with a fix                       |
 * | B     | a medium vulnerability without a fix, or a low or unknown-severity one with a fix    |
 * | A     | none of the above (only unfixable low, negligible or unknown findings, or none)      |
 *
 * "Unknown" severity (e.g. Debian records without a rating) counts like low. The grade reads the
 * image's content as scanned, not the register's decisions: accepting a risk does not improve it.
 *
 * `score` orders images within a grade: 40 per KEV finding, 20 per secret, 10 per critical, 5 per
 * high, 2 per medium, 1 per low or unknown; a finding with a fix counts 1.5 times (it could be gone).
 */

export const GRADES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Grade = (typeof GRADES)[number];

/** Counts of the newest scan's (unsuppressed) findings. */
export interface GradeInput {
  readonly total: Readonly<Record<GradedSeverity, number>>;
  readonly fixable: Readonly<Record<GradedSeverity, number>>;
  readonly kev: number;
  readonly secrets: number;
}

export type GradedSeverity = 'critical' | 'high' | 'medium' | 'low' | 'negligible' | 'unknown';

export interface GradeResult {
  readonly grade: Grade;
  readonly score: number;
  /** Why: the rule that decided the grade, in words. */
  readonly reasons: readonly string[];
}

const WEIGHT: Readonly<Record<GradedSeverity, number>> = {
  critical: 10,
  high: 5,
  medium: 2,
  low: 1,
  negligible: 0,
  unknown: 1,
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function gradeImage(input: GradeInput): GradeResult {
  const { total, fixable } = input;
  const unfixed = (s: GradedSeverity) => total[s] - fixable[s];
  let score = input.kev * 40 + input.secrets * 20;
  for (const s of Object.keys(WEIGHT) as GradedSeverity[])
    score += WEIGHT[s] * (unfixed(s) + 1.5 * fixable[s]);
  const reasons: string[] = [];
  let grade: Grade = 'A';
  const rule = (g: Grade, cond: boolean, why: string) => {
    if (grade === 'A' && cond) grade = g;
    if (cond && grade === g) reasons.push(why);
  };
  rule('F', input.kev > 0, `${plural(input.kev, 'finding')} in CISA's KEV catalogue`);
  rule('F', input.secrets > 0, `${plural(input.secrets, 'secret')} in the image's layers`);
  rule('E', fixable.critical > 0, `${plural(fixable.critical, 'fixable critical finding')}`);
  rule('D', unfixed('critical') > 0, `${plural(unfixed('critical'), 'critical finding')} without a fix`);
  rule('D', fixable.high > 0, `${plural(fixable.high, 'fixable high finding')}`);
  rule('C', unfixed('high') > 0, `${plural(unfixed('high'), 'high finding')} without a fix`);
  rule('C', fixable.medium > 0, `${plural(fixable.medium, 'fixable medium finding')}`);
  rule('B', unfixed('medium') > 0, `${plural(unfixed('medium'), 'medium finding')} without a fix`);
  rule(
    'B',
    fixable.low + fixable.unknown > 0,
    `${plural(fixable.low + fixable.unknown, 'fixable low or unknown-severity finding')}`,
  );
  if (grade === 'A') reasons.push('no fixable findings and nothing above low severity');
  return { grade, score: Math.round(score * 10) / 10, reasons };
}
