/**
 * Which tags of the base image's repository are worth proposing (docs/base-images.md#candidates). A
 * tag is read as `<version>[-<variant>]`: a version of dot-separated numbers (an optional `v` before
 * it), then the variant (`slim`, `bookworm-slim`, `alpine3.20`, …). A tag that does not start with a
 * version (`bookworm`, `latest`) is all variant.
 *
 * For the base's tag T = (version V, variant F):
 *
 * - **refresh**: T itself (it is proposed when it now points to another digest);
 * - **update**: the newest tag with the same variant F and a version of the same major and the same
 *   number of parts as V, newer than V (`12.4` → `12.7`; a floating `12` has no newer sibling — its
 *   refresh is its update);
 * - **slimmer**: the newest tag whose variant is F plus one slim word (`slim`, `minimal`, `micro`,
 *   `distroless`, `tiny`, `base`) and whose version has the same major and number of parts as V and is
 *   not older (`12` → `12-slim`, `bookworm` → `bookworm-slim`, `3.12.4` → `3.12.6-slim`).
 *
 * Other majors, other variants and pre-release-looking tags are never proposed automatically.
 */

/** Words that mark a smaller flavour of the same image. */
export const SLIM_WORDS: readonly string[] = ['slim', 'minimal', 'micro', 'distroless', 'tiny', 'base'];

export interface ParsedTag {
  readonly tag: string;
  /** Version parts (`12.4` → [12, 4]); empty when the tag does not start with a version. */
  readonly version: readonly number[];
  /** The variant after the version, split on `-` (`bookworm-slim` → ['bookworm', 'slim']). */
  readonly variant: readonly string[];
}

/** Split a tag into version and variant. */
export function parseTag(tag: string): ParsedTag {
  const m = /^v?(\d+(?:\.\d+)*)(?:-(.+))?$/.exec(tag);
  if (!m) return { tag, version: [], variant: tag.split('-') };
  return {
    tag,
    version: m[1]!.split('.').map((n) => Number(n)),
    variant: m[2] ? m[2].split('-') : [],
  };
}

/** Compare versions part by part (numerically); a missing part counts as 0. */
export function compareVersionParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export type CandidateKind = 'refresh' | 'update' | 'slimmer' | 'alternative';

export interface TagCandidate {
  readonly tag: string;
  readonly kind: CandidateKind;
  /** One line: why this tag. */
  readonly reason: string;
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Versions comparable under the rule: both absent, or the same major and the same number of parts. */
function comparable(a: readonly number[], b: readonly number[]): boolean {
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  return a.length === b.length && a[0] === b[0];
}

/** The newest of some parsed tags (ties: the shorter, then the smaller tag text). */
function newest(list: readonly ParsedTag[]): ParsedTag | undefined {
  let best: ParsedTag | undefined;
  for (const t of list) {
    if (!best) {
      best = t;
      continue;
    }
    const c = compareVersionParts(t.version, best.version);
    if (
      c > 0 ||
      (c === 0 && (t.tag.length < best.tag.length || (t.tag.length === best.tag.length && t.tag < best.tag)))
    )
      best = t;
  }
  return best;
}

/** The candidate tags for a base tagged `current`, from the repository's tags (see the module comment). */
export function selectCandidateTags(current: string, tags: readonly string[]): TagCandidate[] {
  const cur = parseTag(current);
  const all = [...new Set(tags)].map(parseTag);
  const out: TagCandidate[] = [];
  if (all.some((t) => t.tag === current))
    out.push({ tag: current, kind: 'refresh', reason: `the same tag ${current}, rebuilt` });
  const update = newest(
    all.filter(
      (t) =>
        t.tag !== current &&
        sameList(t.variant, cur.variant) &&
        cur.version.length > 0 &&
        comparable(t.version, cur.version) &&
        compareVersionParts(t.version, cur.version) > 0,
    ),
  );
  if (update)
    out.push({
      tag: update.tag,
      kind: 'update',
      reason: `newer ${update.version.join('.')} of the same variant`,
    });
  const slim = newest(
    all.filter(
      (t) =>
        t.tag !== current &&
        t.variant.length === cur.variant.length + 1 &&
        sameList(t.variant.slice(0, cur.variant.length), cur.variant) &&
        SLIM_WORDS.includes(t.variant[t.variant.length - 1]!) &&
        comparable(t.version, cur.version) &&
        compareVersionParts(t.version, cur.version) >= 0,
    ),
  );
  if (slim) out.push({ tag: slim.tag, kind: 'slimmer', reason: `a ${slim.variant.at(-1)} variant` });
  return out;
}
