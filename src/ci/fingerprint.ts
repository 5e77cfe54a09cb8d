/**
 * Stable finding fingerprints (docs/ci.md#fingerprints): what a finding IS, never where it sits, so
 * a baseline still recognises it after lines move, and a version bump of a still-vulnerable package
 * keeps the vulnerability "existing".
 *
 * - secret: rule + file + the secret's own fingerprint (a salted hash of the value, never the value);
 * - Dockerfile lint: rule + file + the instruction's text, whitespace and line continuations
 *   normalised + the message; repeats of the same tuple are numbered in file order;
 * - vulnerability: id + package type and name + the file that declares it (lock file, package
 *   database) — no version, no line;
 * - image check: rule + where in the image (config field, history entry, path) + the message;
 * - policy: policy id + the fingerprint of the finding it is about, or its message.
 *
 * Each is sha256 over NUL-joined parts, hex, truncated to 32 characters.
 */
import { createHash } from 'node:crypto';

export function fingerprintOf(kind: string, ...parts: readonly string[]): string {
  return createHash('sha256')
    .update([kind, ...parts].join('\0'))
    .digest('hex')
    .slice(0, 32);
}

/** `RUN  apt-get \<newline>   install x` → `RUN apt-get install x`. */
export function normaliseInstruction(text: string): string {
  return text
    .replace(/\\\r?\n/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Numbers repeated fingerprints (`fp`, `fp`, `fp` → `fp`, `fp:2`, `fp:3`) in the order given. */
export function numberRepeats<T extends { fingerprint: string }>(items: readonly T[]): T[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const n = (seen.get(item.fingerprint) ?? 0) + 1;
    seen.set(item.fingerprint, n);
    return n === 1 ? item : { ...item, fingerprint: `${item.fingerprint}:${n}` };
  });
}
