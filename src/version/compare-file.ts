/**
 * Reader for version-pair test data (`testdata/compare.txt` in each scheme folder): one
 * `a <op> b` per line with `<`, `=` or `>`, `#` comments and blank lines ignored.
 */

import { readFileSync } from 'node:fs';

export interface ComparePair {
  readonly a: string;
  readonly op: '<' | '=' | '>';
  readonly b: string;
  /** 1-based line number, for test names. */
  readonly line: number;
}

/** Parse the text of a compare file; a malformed line throws naming its line number. */
export function parseCompareFile(text: string, name = 'compare file'): ComparePair[] {
  const pairs: ComparePair[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(\S+) ([<=>]) (\S+)$/.exec(line);
    if (!m) throw new Error(`${name}:${index + 1}: expected "a <op> b", got "${line.slice(0, 80)}"`);
    pairs.push({ a: m[1]!, op: m[2] as ComparePair['op'], b: m[3]!, line: index + 1 });
  });
  return pairs;
}

export function readCompareFile(path: string): ComparePair[] {
  return parseCompareFile(readFileSync(path, 'utf8'), path);
}

/** The comparison result a relation stands for. */
export function expectedResult(op: ComparePair['op']): -1 | 0 | 1 {
  return op === '<' ? -1 : op === '>' ? 1 : 0;
}

/** Split a chain such as `1.0~rc1 < 1.0 = 1.0-0 < 1.1` into adjacent pairs. */
export function parseChain(chain: string): ComparePair[] {
  const tokens = chain.trim().split(/\s+/);
  if (tokens.length % 2 === 0) throw new Error(`malformed chain "${chain}"`);
  const pairs: ComparePair[] = [];
  for (let i = 1; i < tokens.length; i += 2) {
    const op = tokens[i];
    if (op !== '<' && op !== '=' && op !== '>') throw new Error(`malformed chain "${chain}"`);
    pairs.push({ a: tokens[i - 1]!, op, b: tokens[i + 1]!, line: (i + 1) / 2 });
  }
  return pairs;
}
