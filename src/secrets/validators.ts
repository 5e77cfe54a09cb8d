/** Offline validators: formats that carry a checksum or a structure we can check without a network. */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib) of the UTF-8 bytes of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 with digits first, left-padded with `0` to `width`. */
export function base62(value: number, width: number): string {
  let out = '';
  let v = value;
  while (v > 0) {
    out = BASE62[v % 62] + out;
    v = Math.floor(v / 62);
  }
  return out.padStart(width, '0');
}

/**
 * GitHub's current token format (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`): a 4-character prefix,
 * 30 random base62 characters, then the CRC-32 of the random part in 6 base62 characters.
 */
export function githubTokenChecksumOk(token: string): boolean {
  const m = /^gh[pousr]_([A-Za-z0-9]{30})([A-Za-z0-9]{6})$/.exec(token);
  if (!m) return false;
  return base62(crc32(m[1] as string), 6) === m[2];
}

function decodeBase64UrlJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(part) || part.length % 4 === 1) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** A JWT: the header decodes to a JSON object naming an `alg`, the payload to a JSON object. */
export function jwtStructureOk(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[2]) return false;
  const header = decodeBase64UrlJson(parts[0] as string);
  const payload = decodeBase64UrlJson(parts[1] as string);
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(header) || !isObject(payload)) return false;
  // An unsigned token (`alg: none`) grants nothing on a correctly configured server.
  return typeof header['alg'] === 'string' && header['alg'].toLowerCase() !== 'none';
}

/** Base64 that decodes to mostly printable text or to bytes of the declared length. */
export function base64Decodes(value: string, expectedBytes?: number): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  const bytes = Buffer.from(value, 'base64');
  return expectedBytes === undefined || bytes.length === expectedBytes;
}
