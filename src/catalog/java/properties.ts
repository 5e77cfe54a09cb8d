/**
 * Parsers for the two text formats found in jars: Java `.properties` (pom.properties) and the JAR
 * manifest (`MANIFEST.MF`, RFC 822-like with 72-byte line wrapping).
 */

/** Java properties: `key=value`, `key: value` or `key value`; `#`/`!` comments; `\` continuations. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    // An odd number of trailing backslashes continues the logical line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    let k = 0;
    let key = '';
    while (k < line.length && !'=: \t\f'.includes(line[k]!)) {
      if (line[k] === '\\' && k + 1 < line.length) {
        key += unescapeChar(line[k + 1]!);
        k += 2;
      } else key += line[k++];
    }
    while (k < line.length && ' \t\f'.includes(line[k]!)) k++;
    if (k < line.length && (line[k] === '=' || line[k] === ':')) k++;
    while (k < line.length && ' \t\f'.includes(line[k]!)) k++;
    out.set(key, unescape(line.slice(k)));
  }
  return out;
}

function unescapeChar(c: string): string {
  return c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === 'f' ? '\f' : c;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) =>
    e.length === 5 ? String.fromCharCode(parseInt(e.slice(1), 16)) : unescapeChar(e),
  );
}

/** The main section of a JAR manifest (attributes before the first blank line), names as written. */
export function parseManifest(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let last: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (out.size > 0) break; // end of the main section
      continue;
    }
    if (line.startsWith(' ') && last !== undefined) {
      out.set(last, out.get(last)! + line.slice(1));
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      last = undefined;
      continue;
    }
    last = line.slice(0, colon).trim();
    out.set(last, line.slice(colon + 1).replace(/^ /, ''));
  }
  return out;
}
