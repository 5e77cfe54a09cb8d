/**
 * Deterministic fake credentials for tests and benchmarks. Rule examples are templates expanded here,
 * so no real-looking token is ever committed to the source tree:
 *
 * `{A:n}` base62 · `{U:n}` A-Z0-9 · `{u:n}` A-Z · `{l:n}` a-z0-9 · `{a:n}` a-z · `{w:n}` A-Za-z ·
 * `{h:n}` hex · `{H:n}` HEX · `{d:n}` digits · `{b:n}` base64 · `{B:n}` base64url · `{z:n}` base32 a-z2-7 ·
 * `{Z:n}` base32 A-Z2-7 · `{c:n}` bech32 upper ·
 * `{basic:n}` base64 of `deploy:<n random>` · `{uuid}` · `{gh}` 30 base62 + the GitHub CRC-32 checksum · `{jwt}` a signed-looking JWT.
 */
import { base62, crc32 } from '../validators.js';

const SETS: Record<string, string> = {
  A: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  U: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  u: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  l: 'abcdefghijklmnopqrstuvwxyz0123456789',
  a: 'abcdefghijklmnopqrstuvwxyz',
  w: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
  h: '0123456789abcdef',
  H: '0123456789ABCDEF',
  d: '0123456789',
  b: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  B: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  z: 'abcdefghijklmnopqrstuvwxyz234567',
  Z: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
  c: 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
};

/** A small seeded PRNG (mulberry32): same seed, same tokens, on every machine. */
export function seededRandom(seed: string): () => number {
  let h = 1779033703 ^ seed.length;
  for (let i = 0; i < seed.length; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  let state = h >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(rand: () => number, set: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += set[Math.floor(rand() * set.length)];
  return out;
}

/** A GitHub-style token body: 30 random base62 characters and their checksum. */
export function githubTokenBody(rand: () => number): string {
  const random = pick(rand, SETS['A'] as string, 30);
  return random + base62(crc32(random), 6);
}

export function fakeJwt(rand: () => number): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = enc({ alg: 'HS256', typ: 'JWT' });
  const payload = enc({
    sub: pick(rand, SETS['d'] as string, 10),
    name: 'svc',
    iat: 1700000000 + Math.floor(rand() * 1e6),
  });
  return `${header}.${payload}.${pick(rand, SETS['B'] as string, 43)}`;
}

/** Expand a template; the same (template, seed) always yields the same string. */
export function expandTemplate(template: string, seed: string): string {
  const rand = seededRandom(`${seed}\0${template}`);
  return template.replace(/\{([A-Za-z]+)(?::(\d+))?\}/g, (whole, kind: string, len?: string) => {
    if (kind === 'gh') return githubTokenBody(rand);
    if (kind === 'jwt') return fakeJwt(rand);
    if (kind === 'basic')
      return Buffer.from(`deploy:${pick(rand, SETS['A'] as string, Number(len ?? 16))}`).toString('base64');
    if (kind === 'uuid') {
      const h = pick(rand, SETS['h'] as string, 32);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
    }
    const set = SETS[kind];
    if (!set || !len) return whole;
    return pick(rand, set, Number(len));
  });
}
