/**
 * Dockerfile-level word splitting and quote removal (the rules BuildKit applies to ENV, LABEL, ARG and
 * flag values). The escape character is the one set by the `# escape=` directive.
 */

export interface Word {
  /** The word exactly as written, quotes included. */
  readonly raw: string;
  /** Offset of the first character in the split text. */
  readonly start: number;
  readonly end: number;
}

export interface SplitResult {
  readonly words: Word[];
  /** Offset of an opening quote that was never closed, if any. */
  readonly unterminatedAt?: number;
}

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Split on unquoted, unescaped whitespace. Linear in the text length. */
export function splitWords(text: string, escape: string): SplitResult {
  const words: Word[] = [];
  let unterminatedAt: number | undefined;
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && isSpace(text[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let quote: string | undefined;
    let quoteAt = 0;
    while (i < n) {
      const c = text[i]!;
      if (quote) {
        if (c === escape && quote === '"' && i + 1 < n) {
          i += 2;
          continue;
        }
        if (c === quote) quote = undefined;
        i++;
        continue;
      }
      if (isSpace(c)) break;
      if (c === escape && i + 1 < n) {
        i += 2;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        quoteAt = i;
      }
      i++;
    }
    if (quote && unterminatedAt === undefined) unterminatedAt = quoteAt;
    words.push({ raw: text.slice(start, i), start, end: i });
  }
  return unterminatedAt === undefined ? { words } : { words, unterminatedAt };
}

/** Remove quotes and escapes from one word, as BuildKit does for ENV/LABEL/ARG values. */
export function unquote(raw: string, escape: string): string {
  let out = '';
  let quote: string | undefined;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else out += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') {
        quote = undefined;
        continue;
      }
      if (c === escape && i + 1 < raw.length) {
        const next = raw[i + 1]!;
        // Inside double quotes the escape only protects the characters the shell would interpret.
        if (next === '"' || next === '$' || next === escape || next === '\n') {
          out += next;
          i++;
          continue;
        }
      }
      out += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    if (c === escape && i + 1 < raw.length) {
      out += raw[i + 1]!;
      i++;
      continue;
    }
    out += c;
  }
  return out;
}
