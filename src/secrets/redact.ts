/** The only way a secret value leaves the engine: a preview, its length and a salted-by-rule hash. */
import { createHash } from 'node:crypto';
import type { RedactedSecret } from './types.js';

/** Characters shown: 4 for secrets of 16+ characters, fewer for short ones so most stays hidden. */
export function previewLength(length: number): number {
  return Math.max(0, Math.min(4, Math.floor(length / 4)));
}

export function fingerprintOf(ruleId: string, secret: string): string {
  return createHash('sha256').update(ruleId).update('\0').update(secret).digest('hex').slice(0, 16);
}

export function redact(ruleId: string, secret: string): RedactedSecret {
  // Cut on code points so a preview never ends in half a surrogate pair.
  const shown = Array.from(secret).slice(0, previewLength(secret.length)).join('');
  return Object.freeze({
    preview: `${shown}…`,
    length: secret.length,
    fingerprint: fingerprintOf(ruleId, secret),
  });
}
