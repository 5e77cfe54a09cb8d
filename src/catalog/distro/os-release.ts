/**
 * Parser for the os-release(5) format: `KEY=value` lines, values optionally single- or double-quoted,
 * with shell-style backslash escapes. It is data, never executed: no variable expansion.
 */

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse os-release text into a key→value map. Malformed lines are skipped (systemd does the same). */
export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!KEY.test(key)) continue;
    const value = unquote(line.slice(eq + 1).trim());
    if (value !== undefined) out.set(key, value.trimEnd());
  }
  return out;
}

/** Shell-like unquoting of one value; undefined when a quote is left open. */
function unquote(input: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (c === "'") {
      // Single quotes: everything literal up to the next single quote.
      const end = input.indexOf("'", i + 1);
      if (end < 0) return undefined;
      out += input.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < input.length) {
        const d = input[i]!;
        if (d === '\\' && i + 1 < input.length && '$"\\`'.includes(input[i + 1]!)) {
          out += input[i + 1];
          i += 2;
        } else if (d === '"') {
          closed = true;
          i++;
          break;
        } else {
          out += d;
          i++;
        }
      }
      if (!closed) return undefined;
    } else if (c === '\\' && i + 1 < input.length) {
      out += input[i + 1];
      i += 2;
    } else if (c === '#' && (i === 0 || /\s/.test(input[i - 1]!))) {
      break; // trailing comment after an unquoted value
    } else {
      // Unquoted whitespace is kept: some images ship `NAME=Foo Linux` without quotes.
      out += c;
      i++;
    }
  }
  return out;
}
