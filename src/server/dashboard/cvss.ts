/**
 * A CVSS vector (2.0, 3.0, 3.1, 4.0) broken down in words for the vulnerability page: each metric the
 * vector sets, with the metric's and the value's names and the value's description, in the order of
 * the specification (ae-cvss-calculator's registered components), and the scores it computes.
 */
import cvssCalculator from 'ae-cvss-calculator';

export interface CvssMetricView {
  /** e.g. `base`, `threat`, `environmental`. */
  readonly category: string;
  /** e.g. `AV`. */
  readonly metric: string;
  /** e.g. `Attack Vector`. */
  readonly name: string;
  /** e.g. `N`. */
  readonly value: string;
  /** e.g. `Network`. */
  readonly valueName: string;
  readonly description: string;
}

export interface CvssView {
  readonly vector: string;
  readonly version: string;
  readonly baseScore: number | null;
  readonly metrics: readonly CvssMetricView[];
}

interface ComponentValue {
  readonly name: string;
  readonly shortName: string;
  readonly description: string;
}
interface Component {
  readonly name: string;
  readonly shortName: string;
}
interface Parsed {
  getRegisteredComponents(): Map<{ name: string }, Component[]>;
  getComponents(): Map<Component, ComponentValue>;
  calculateScores(): { base?: number; overall?: number };
}

/** Break a vector down; undefined when it is not a vector the library understands. */
export function explainCvss(vector: string): CvssView | undefined {
  const v = vector.trim();
  const m = /^CVSS:(\d\.\d)\//.exec(v);
  const version = m ? m[1]! : /^\(?AV:[LAN]\//.test(v) ? '2.0' : undefined;
  if (!version) return undefined;
  let parsed: Parsed;
  try {
    parsed = cvssCalculator.fromVector(
      version === '2.0' ? v.replace(/^\(|\)$/g, '') : v,
    ) as unknown as Parsed;
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const set = parsed.getComponents();
  const metrics: CvssMetricView[] = [];
  for (const [category, components] of parsed.getRegisteredComponents()) {
    for (const c of components) {
      const value = set.get(c);
      // Metrics the vector leaves out are "not defined" (X) and say nothing: skip them.
      if (!value || value.shortName === 'X') continue;
      metrics.push({
        category: category.name,
        metric: c.shortName,
        name: c.name,
        value: value.shortName,
        valueName: value.name,
        description: value.description,
      });
    }
  }
  let baseScore: number | null = null;
  try {
    const s = parsed.calculateScores();
    const b = typeof s.base === 'number' ? s.base : s.overall;
    if (typeof b === 'number' && Number.isFinite(b)) baseScore = Math.round(b * 10) / 10;
  } catch {
    baseScore = null;
  }
  return { vector: v, version, baseScore, metrics };
}
