/**
 * PURL patterns for ignore rules and VEX products: `pkg:npm/lodash`, `pkg:npm/lodash@4.17.*`,
 * `pkg:deb/debian/openssl*`, `pkg:npm/@babel/*`. `*` matches any run of characters. A pattern without a
 * version matches every version; qualifiers and subpath count only when the pattern has them.
 */

function split(purl: string): { base: string; version?: string; rest: string } {
  const hash = purl.indexOf('#');
  const noSub = hash >= 0 ? purl.slice(0, hash) : purl;
  const q = noSub.indexOf('?');
  const main = q >= 0 ? noSub.slice(0, q) : noSub;
  const rest = purl.slice(main.length);
  // The version follows the last `@` after the type (npm scopes are `%40`-encoded or follow a `/`).
  const slash = main.indexOf('/');
  const at = main.lastIndexOf('@');
  if (at > slash && slash >= 0 && main[at - 1] !== '/')
    return { base: main.slice(0, at), version: main.slice(at + 1), rest };
  return { base: main, rest };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 'i');
}

/** Does `purl` match the pattern? Case-insensitive on type/namespace/name (registries differ). */
export function purlMatches(pattern: string, purl: string): boolean {
  const p = split(decode(pattern.trim()));
  const t = split(decode(purl.trim()));
  if (!globToRegExp(p.base).test(t.base)) return false;
  if (p.version !== undefined && !globToRegExp(p.version).test(t.version ?? '')) return false;
  if (p.rest) {
    // Every qualifier the pattern names must be present with a matching value.
    const want = new URLSearchParams(p.rest.replace(/^\?/, '').split('#')[0]);
    const have = new URLSearchParams(t.rest.replace(/^\?/, '').split('#')[0]);
    for (const [k, v] of want) {
      const got = have.get(k);
      if (got === null || !globToRegExp(v).test(got)) return false;
    }
  }
  return true;
}

/** Is this a well-formed pattern (`pkg:<type>/…`)? */
export function isPurlPattern(pattern: string): boolean {
  return /^pkg:[a-z0-9.+*-]+\/.+/i.test(pattern.trim());
}
