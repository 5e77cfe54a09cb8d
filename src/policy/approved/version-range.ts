/**
 * Version ranges over image tags, semver-style: a tag's leading version (`12.5-slim` → 12.5,
 * `3.19` → 3.19.0, `v1.2.3` → 1.2.3) compared numerically, component by component (missing ones are 0).
 *
 * A range is `||`-separated alternatives of space-separated comparators, each `>=`, `>`, `<=`, `<`, `=`
 * (or none) followed by a version; `12`, `12.x`, `12.*` mean "12.anything"; `^12.4` is `>=12.4 <13`,
 * `~12.4` is `>=12.4 <12.5`.
 */

type Op = '>=' | '>' | '<=' | '<' | '=';
interface Comparator {
  readonly op: Op;
  readonly version: readonly number[];
}
/** Alternatives, each a conjunction of comparators. */
export type VersionRange = readonly (readonly Comparator[])[];

/** The leading numeric version of a tag (`v` prefix allowed), or undefined. */
export function tagVersion(tag: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(tag);
  return m ? m[1]!.split('.').map(Number) : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** `12.4` → `12.5`; `12` → `13` (the first version after the partial one given). */
function bump(parts: readonly number[], at: number): number[] {
  const out = parts.slice(0, at + 1);
  out[at] = (out[at] ?? 0) + 1;
  return out;
}

function comparators(token: string): Comparator[] {
  const m = /^(\^|~|>=|<=|>|<|=)?v?(\d+(?:\.\d+)*)((?:\.[x*])*)$/i.exec(token);
  if (!m) throw new Error(`"${token}" is not a version comparator (e.g. >=12.4, ^3, 12.x)`);
  const op = m[1];
  const parts = m[2]!.split('.').map(Number);
  const wildcard = (m[3] ?? '') !== '';
  if (op === '^')
    return [
      { op: '>=', version: parts },
      { op: '<', version: bump(parts, 0) },
    ];
  if (op === '~')
    return [
      { op: '>=', version: parts },
      { op: '<', version: bump(parts, Math.min(1, parts.length - 1)) },
    ];
  if (!op || op === '=') {
    // A bare partial version means "anything starting with it": 12 → [12, 13), 12.4 → [12.4, 12.5).
    if (wildcard || !op)
      return [
        { op: '>=', version: parts },
        { op: '<', version: bump(parts, parts.length - 1) },
      ];
    return [{ op: '=', version: parts }];
  }
  if (wildcard) throw new Error(`"${token}": a wildcard needs no operator`);
  return [{ op: op as Op, version: parts }];
}

/** Parse a range; throws an Error with a one-line message when it is not one. */
export function parseRange(text: string): VersionRange {
  const alternatives = text.split('||').map((alt) => alt.trim());
  if (alternatives.some((a) => !a)) throw new Error(`"${text}" is not a version range`);
  return alternatives.map((alt) =>
    alt
      .replace(/(>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .flatMap(comparators),
  );
}

/** Does the tag's leading version satisfy the range? A tag without a version never does. */
export function versionInRange(tag: string, range: VersionRange): boolean {
  const v = tagVersion(tag);
  if (!v) return false;
  return range.some((all) =>
    all.every(({ op, version }) => {
      const c = compare(v, version);
      return op === '>=' ? c >= 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : op === '<' ? c < 0 : c === 0;
    }),
  );
}
