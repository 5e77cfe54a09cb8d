/**
 * Array helpers that work at any length. `Math.max(...xs)`, `target.push(...xs)` and friends pass every
 * element as a call argument: past roughly 100,000 elements V8 throws "RangeError: Maximum call stack
 * size exceeded". Lock files, package lists and report rows reach that size, so unbounded arrays go
 * through these loops instead.
 */

/** Append every item of `items` to `target` (in order); returns `target`. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of `values`, or `floor` when there are none or all are smaller. */
export function maxOf(values: Iterable<number>, floor = -Infinity): number {
  let max = floor;
  for (const v of values) if (v > max) max = v;
  return max;
}

/** The smallest of `values`, or `ceiling` when there are none or all are larger. */
export function minOf(values: Iterable<number>, ceiling = Infinity): number {
  let min = ceiling;
  for (const v of values) if (v < min) min = v;
  return min;
}
