/**
 * Severity: CVSS vectors are scored with ae-cvss-calculator (a maintained implementation of CVSS 2.0, 3.0,
 * 3.1 and 4.0); the source's own rating (GHSA, distro urgency, Ubuntu priority, RHEL-style summary prefix)
 * is kept. Precedence (documented in docs/database.md): the numeric score comes from the newest CVSS
 * version present (4.0 > 3.1 > 3.0 > 2.0, highest score within a version); the rating is the source's
 * own when present, else derived from that score.
 */
import cvssCalculator from 'ae-cvss-calculator';
import type { CvssVersion, Rating, SeverityEntry, SeveritySummary } from './types.js';
import { RATINGS } from './types.js';

/** Base metrics a vector must carry to be scored: partial vectors score 0 in the library, which would lie. */
const REQUIRED_METRICS: Record<CvssVersion, readonly string[]> = {
  '2.0': ['AV', 'AC', 'Au', 'C', 'I', 'A'],
  '3.0': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '3.1': ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'],
  '4.0': ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'VI', 'VA', 'SC', 'SI', 'SA'],
};

const VERSION_RANK: Record<CvssVersion, number> = { '2.0': 1, '3.0': 2, '3.1': 3, '4.0': 4 };

const scoreCache = new Map<string, { version: CvssVersion; base: number } | null>();
const SCORE_CACHE_MAX = 50_000;

function detectVersion(vector: string): CvssVersion | undefined {
  const m = /^CVSS:(\d\.\d)\//.exec(vector);
  if (!m) return /^\(?AV:[LAN]\//.test(vector) ? '2.0' : undefined;
  const v = m[1];
  return v === '3.0' || v === '3.1' || v === '4.0' || v === '2.0' ? v : undefined;
}

/**
 * Score a CVSS vector. Returns undefined for anything that is not a complete, valid vector
 * (unknown version, missing base metric, invalid value).
 */
export function scoreCvss(vectorInput: string): { version: CvssVersion; base: number } | undefined {
  const vector = vectorInput.trim();
  const cached = scoreCache.get(vector);
  if (cached !== undefined) return cached ?? undefined;
  let result: { version: CvssVersion; base: number } | null = null;
  const version = detectVersion(vector);
  if (version) {
    const body = vector.replace(/^CVSS:\d\.\d\//, '').replace(/^\(|\)$/g, '');
    const metrics = new Map(
      body.split('/').map((part) => part.split(':', 2) as [string, string | undefined]),
    );
    if (REQUIRED_METRICS[version].every((m) => metrics.get(m) && metrics.get(m) !== 'X')) {
      try {
        // CVSS 2.0 vectors have no prefix; some feeds wrap them in parentheses.
        const parsed = cvssCalculator.fromVector(version === '2.0' ? body : vector);
        const scores = parsed?.calculateScores() as { base?: number } | undefined;
        const base = scores?.base;
        if (typeof base === 'number' && Number.isFinite(base) && base >= 0 && base <= 10) {
          result = { version, base: Math.round(base * 10) / 10 };
        }
      } catch {
        // Invalid metric values: not scorable.
      }
    }
  }
  if (scoreCache.size >= SCORE_CACHE_MAX) scoreCache.clear();
  scoreCache.set(vector, result);
  return result ?? undefined;
}

/** Turn a raw OSV severity entry into a {@link SeverityEntry} (score computed for CVSS types). */
export function toSeverityEntry(type: string, score: string): SeverityEntry {
  if (type.startsWith('CVSS_')) {
    const scored = scoreCvss(score);
    if (scored) return { type, score, cvssVersion: scored.version, baseScore: scored.base };
  }
  return { type, score };
}

/** Map a source's rating word to ours; undefined for words that carry no severity ("not yet assigned"). */
export function normalizeRating(word: string): Rating | undefined {
  const w = word.trim().toLowerCase().replace(/\*+$/, '');
  switch (w) {
    case 'critical':
      return 'critical';
    case 'important':
    case 'high':
      return 'high';
    case 'moderate':
    case 'medium':
      return 'medium';
    case 'low':
      return 'low';
    case 'negligible':
    case 'unimportant':
    case 'none':
      return 'negligible';
    default:
      return undefined;
  }
}

/** The CVSS qualitative scale; CVSS 2.0 has no `critical` band. */
export function ratingFromScore(score: number, version: CvssVersion): Rating {
  if (score === 0) return 'negligible';
  if (score < 4) return 'low';
  if (score < 7) return 'medium';
  if (score < 9 || version === '2.0') return 'high';
  return 'critical';
}

export function compareRatings(a: Rating, b: Rating): number {
  return RATINGS.indexOf(a) - RATINGS.indexOf(b);
}

export interface SeverityInputs {
  readonly id: string;
  readonly summary?: string;
  readonly severities: readonly SeverityEntry[];
  readonly databaseSpecific?: Readonly<Record<string, unknown>>;
  /** `ecosystem_specific` objects of the affected entries (distro urgency / severity). */
  readonly ecosystemSpecific: readonly Readonly<Record<string, unknown>>[];
  /** Base ecosystems of the affected entries (a summary prefix is a rating only for RHEL-family data). */
  readonly ecosystems: readonly string[];
}

const RHEL_FAMILY = new Set(['AlmaLinux', 'Rocky Linux', 'Red Hat', 'openEuler']);

/** Compute the record's {@link SeveritySummary}. */
export function summarizeSeverity(input: SeverityInputs): SeveritySummary {
  let best: SeverityEntry | undefined;
  for (const s of input.severities) {
    if (s.baseScore === undefined || !s.cvssVersion) continue;
    if (
      !best ||
      VERSION_RANK[s.cvssVersion] > VERSION_RANK[best.cvssVersion!] ||
      (s.cvssVersion === best.cvssVersion && s.baseScore > best.baseScore!)
    ) {
      best = s;
    }
  }
  const scorePart = best
    ? { score: best.baseScore!, vector: best.score, cvssVersion: best.cvssVersion! }
    : {};

  const source = sourceRating(input);
  if (source)
    return { rating: source.rating, ratingSource: source.from, sourceRating: source.word, ...scorePart };
  if (best)
    return {
      rating: ratingFromScore(best.baseScore!, best.cvssVersion!),
      ratingSource: 'cvss',
      ...scorePart,
    };
  return { rating: 'unknown', ratingSource: 'none' };
}

function sourceRating(
  input: SeverityInputs,
): { rating: Rating; from: SeveritySummary['ratingSource']; word: string } | undefined {
  const dbSeverity = input.databaseSpecific?.severity;
  if (typeof dbSeverity === 'string') {
    const rating = normalizeRating(dbSeverity);
    if (rating)
      return { rating, from: input.id.startsWith('GHSA-') ? 'ghsa' : 'database_specific', word: dbSeverity };
  }
  // Distro urgency: the highest across affected entries (one record can cover several source packages).
  let distro: { rating: Rating; word: string } | undefined;
  for (const es of input.ecosystemSpecific) {
    for (const key of ['urgency', 'severity'] as const) {
      const word = es[key];
      if (typeof word !== 'string') continue;
      const rating = normalizeRating(word);
      if (rating && (!distro || compareRatings(rating, distro.rating) > 0)) distro = { rating, word };
    }
  }
  if (distro) return { ...distro, from: 'distro' };
  for (const s of input.severities) {
    if (s.type === 'Ubuntu') {
      const rating = normalizeRating(s.score);
      if (rating) return { rating, from: 'ubuntu', word: s.score };
    }
  }
  if (input.summary && input.ecosystems.some((e) => RHEL_FAMILY.has(e))) {
    const m = /^(Critical|Important|Moderate|Low):/.exec(input.summary);
    if (m) return { rating: normalizeRating(m[1]!)!, from: 'summary', word: m[1]! };
  }
  return undefined;
}
