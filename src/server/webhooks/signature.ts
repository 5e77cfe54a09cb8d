/**
 * Webhook signatures, in the style of Stripe's and GitHub's: the server signs `<timestamp>.<body>` with
 * HMAC-SHA256 under the webhook's secret and sends `Bulwark-Signature: t=<unix seconds>,v1=<hex>`. A
 * receiver recomputes the HMAC over the raw body it received, compares in constant time, and rejects
 * timestamps too far from its own clock — so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Bulwark-Signature';
/** Receivers should reject signatures older (or newer) than this. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The HMAC-SHA256 of `<timestamp>.<body>`, hex. */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The `Bulwark-Signature` header value for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Check a `Bulwark-Signature` header against the raw body, as a receiver does: the signature must match
 * and the timestamp must be within `toleranceSeconds` of `nowSeconds`.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const i = item.indexOf('=');
    if (i <= 0) continue;
    const k = item.slice(0, i).trim();
    parts.set(k, [...(parts.get(k) ?? []), item.slice(i + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t)) return { ok: false, reason: 'no timestamp' };
  if (Math.abs(nowSeconds - t) > toleranceSeconds)
    return { ok: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(signatureOf(secret, t, body), 'hex');
  for (const v of parts.get('v1') ?? []) {
    const got = Buffer.from(v, 'hex');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return { ok: true };
  }
  return { ok: false, reason: 'signature does not match' };
}
