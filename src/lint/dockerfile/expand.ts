/**
 * Variable substitution as BuildKit performs it on ENV/ARG values and on FROM, COPY, ADD, USER,
 * WORKDIR, EXPOSE, LABEL… arguments: `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`,
 * `${VAR+word}`, `${VAR:?msg}`. Quotes are kept (callers unquote afterwards); nothing is expanded inside
 * single quotes or after the escape character.
 *
 * Variables whose value is unknown to the linter (an `ARG NAME` without default, or a name never
 * declared) are left exactly as written so that rules can tell a reference from a literal.
 */

/** A variable's value; `undefined` means declared without a known value. */
export type Lookup = (name: string) => { value: string | undefined } | undefined;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const MAX_DEPTH = 8;

/** Substitute known variables in `text`. Linear in the text length (nesting depth is bounded). */
export function substitute(text: string, lookup: Lookup, escape: string, depth = 0): string {
  if (!text.includes('$')) return text;
  let out = '';
  let inDouble = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    if (c === escape && i + 1 < n) {
      out += c + text[i + 1]!;
      i += 2;
      continue;
    }
    if (c === "'" && !inDouble) {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? n : close + 1;
      out += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === '"') inDouble = !inDouble;
    if (c !== '$' || i + 1 >= n) {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1]!;
    if (NAME_START.test(next)) {
      let j = i + 2;
      while (j < n && NAME_CHAR.test(text[j]!)) j++;
      const name = text.slice(i + 1, j);
      const v = lookup(name);
      out += v?.value !== undefined ? v.value : text.slice(i, j);
      i = j;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(text, i + 2, escape);
      if (close < 0) {
        // Unbalanced: keep the rest verbatim (and stay linear: no rescans).
        out += text.slice(i);
        break;
      }
      out += braced(text.slice(i + 2, close), text.slice(i, close + 1), lookup, escape, depth);
      i = close + 1;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}

function matchingBrace(text: string, from: number, escape: string): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === escape) {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(inner: string, whole: string, lookup: Lookup, escape: string, depth: number): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(inner);
  if (!m) return whole; // ${#VAR}, ${VAR%…} and other shell-only forms: left as written
  const [, name, op, word = ''] = m;
  const v = lookup(name!);
  const known = v?.value !== undefined;
  const value = v?.value ?? '';
  const expandWord = (): string => (depth >= MAX_DEPTH ? word : substitute(word, lookup, escape, depth + 1));
  switch (op) {
    case undefined:
      return known ? value : whole;
    case ':-':
      return known && value !== '' ? value : expandWord();
    case '-':
      return known ? value : expandWord();
    case ':+':
      return known && value !== '' ? expandWord() : known ? '' : whole;
    case '+':
      return known ? expandWord() : whole;
    default:
      // `:?` / `?` only abort the build when unset; the value is the variable's.
      return known ? value : whole;
  }
}
