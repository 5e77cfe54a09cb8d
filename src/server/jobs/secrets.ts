/**
 * Registry credentials at rest: AES-256-GCM with a key derived (SHA-256) from the server's secret key
 * (`BULWARK_SERVER_SECRET_KEY`, environment only), a random 96-bit IV per value, and the credential's
 * registry as associated data — so a ciphertext copied onto another registry's row does not decrypt.
 * Stored as `v1:` + base64url(iv ‖ tag ‖ ciphertext). The API never returns the secret.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { ApiError } from '../errors.js';

const PREFIX = 'v1:';

function key(secretKey: string | undefined): Buffer {
  if (!secretKey)
    throw new ApiError(
      409,
      'E_NO_SECRET_KEY',
      'the server has no secret key to encrypt registry credentials with (set BULWARK_SERVER_SECRET_KEY)',
    );
  return createHash('sha256').update(`bulwark-registry-credentials\u0000${secretKey}`).digest();
}

export function encryptSecret(secretKey: string | undefined, registry: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(secretKey), iv);
  cipher.setAAD(Buffer.from(registry));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** Decrypt; throws a one-line error when the key is wrong or the value was altered. */
export function decryptSecret(secretKey: string | undefined, registry: string, stored: string): string {
  if (!stored.startsWith(PREFIX)) throw new Error('stored registry credential has an unknown format');
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
  if (raw.length < 28) throw new Error('stored registry credential is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key(secretKey), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(registry));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      `cannot decrypt the stored credentials of ${registry}: wrong BULWARK_SERVER_SECRET_KEY, or the row was altered`,
    );
  }
}
