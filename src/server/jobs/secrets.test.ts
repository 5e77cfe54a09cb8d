/** Registry credentials at rest: AES-256-GCM round trip, bound to the registry, wrong key refused. */
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from './secrets.js';

const KEY = 'a-server-secret-key-of-32-characters-or-more';

describe('registry credential encryption', () => {
  it('round-trips, never stores the plain text, and uses a fresh IV each time', () => {
    const a = encryptSecret(KEY, 'ghcr.io', 'token-123');
    const b = encryptSecret(KEY, 'ghcr.io', 'token-123');
    expect(a).toMatch(/^v1:/);
    expect(a).not.toContain('token-123');
    expect(a).not.toBe(b);
    expect(decryptSecret(KEY, 'ghcr.io', a)).toBe('token-123');
  });

  it('refuses a wrong key, another registry, or an altered value', () => {
    const c = encryptSecret(KEY, 'ghcr.io', 'token-123');
    expect(() => decryptSecret(`${KEY}x`, 'ghcr.io', c)).toThrow(/cannot decrypt/);
    expect(() => decryptSecret(KEY, 'quay.io', c)).toThrow(/cannot decrypt/);
    const raw = Buffer.from(c.slice(3), 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(() => decryptSecret(KEY, 'ghcr.io', `v1:${raw.toString('base64url')}`)).toThrow(/cannot decrypt/);
    expect(() => decryptSecret(KEY, 'ghcr.io', 'plain')).toThrow(/unknown format/);
  });

  it('needs a key', () => {
    expect(() => encryptSecret(undefined, 'ghcr.io', 'x')).toThrow(/BULWARK_SERVER_SECRET_KEY/);
  });
});
