/**
 * Parser for the syntax of classic (v1) yarn.lock files: an indentation-based format where a block
 * header is one or more comma-separated keys ending in `:`, and a field is `key value` separated by
 * whitespace. Keys and values may be double-quoted (JSON escapes). `true`/`false` are booleans;
 * everything else stays a string (versions such as `1.10` must not become numbers).
 *
 * ```
 * "@babel/core@^7.0.0", "@babel/core@^7.1.0":
 *   version "7.1.0"
 *   dependencies:
 *     debug "^4.1.0"
 * ```
 */
import { lockError } from '../common.js';
import { rethrowIfInternal } from '../../../util/errors.js';

export type YarnValue = string | boolean | YarnObject;
export interface YarnObject {
  [key: string]: YarnValue;
}

const MAX_DEPTH = 32;

interface Frame {
  indent: number;
  target: YarnObject;
}

/** Read one token (quoted or bare) starting at `pos`; returns the value and the position after it. */
function readToken(
  line: string,
  pos: number,
  lineNo: number,
  stops: string,
): { value: string; quoted: boolean; end: number } {
  if (line[pos] === '"') {
    let i = pos + 1;
    while (i < line.length && line[i] !== '"') i += line[i] === '\\' ? 2 : 1;
    if (i >= line.length) throw lockError(`yarn.lock:${lineNo}: unterminated string`);
    const raw = line.slice(pos, i + 1);
    try {
      return { value: JSON.parse(raw) as string, quoted: true, end: i + 1 };
    } catch (err) {
      rethrowIfInternal(err);
      throw lockError(`yarn.lock:${lineNo}: invalid escape in string`);
    }
  }
  let i = pos;
  while (i < line.length && !stops.includes(line[i]!)) i++;
  return { value: line.slice(pos, i), quoted: false, end: i };
}

/** Split a block header (`a@1, "b@2":` without the colon) into its keys. */
function headerKeys(text: string, lineNo: number): string[] {
  const keys: string[] = [];
  let pos = 0;
  while (pos < text.length) {
    while (text[pos] === ' ') pos++;
    const tok = readToken(text, pos, lineNo, ',');
    const key = tok.quoted ? tok.value : tok.value.trim();
    if (key) keys.push(key);
    pos = tok.end;
    while (text[pos] === ' ') pos++;
    if (pos < text.length) {
      if (text[pos] !== ',') throw lockError(`yarn.lock:${lineNo}: expected "," between keys`);
      pos++;
    }
  }
  if (keys.length === 0) throw lockError(`yarn.lock:${lineNo}: empty key`);
  return keys;
}

function scalar(tok: { value: string; quoted: boolean }): string | boolean {
  if (!tok.quoted && (tok.value === 'true' || tok.value === 'false')) return tok.value === 'true';
  return tok.value;
}

/** Parse a classic yarn.lock into nested objects; entries that share a header share one object. */
export function parseYarnClassic(text: string): YarnObject {
  const root: YarnObject = Object.create(null) as YarnObject;
  const stack: Frame[] = [{ indent: -1, target: root }];
  const rows = text.split(/\r?\n/);
  for (let n = 0; n < rows.length; n++) {
    const lineNo = n + 1;
    const row = rows[n]!.replace(/\s+$/, '');
    const body = row.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const indent = row.length - body.length;
    if (row.slice(0, indent).includes('\t')) throw lockError(`yarn.lock:${lineNo}: tab in indentation`);
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!.target;

    if (isHeader(body)) {
      if (stack.length > MAX_DEPTH) throw lockError(`yarn.lock:${lineNo}: nested too deeply`);
      const child: YarnObject = Object.create(null) as YarnObject;
      for (const key of headerKeys(body.slice(0, -1), lineNo)) parent[key] = child;
      stack.push({ indent, target: child });
      continue;
    }
    const key = readToken(body, 0, lineNo, ' :');
    let pos = key.end;
    if (body[pos] === ':') pos++; // tolerate `key: value`
    if (body[pos] !== ' ') throw lockError(`yarn.lock:${lineNo}: expected "key value"`);
    while (body[pos] === ' ') pos++;
    const value = readToken(body, pos, lineNo, '');
    if (value.end < body.length && body.slice(value.end).trim() !== '') {
      throw lockError(`yarn.lock:${lineNo}: unexpected text after value`);
    }
    if (!key.value) throw lockError(`yarn.lock:${lineNo}: empty key`);
    parent[key.value] = scalar(value);
  }
  return root;
}

/** A block header ends with a colon outside quotes (`"a@1", b@2:`, `dependencies:`). */
function isHeader(body: string): boolean {
  if (!body.endsWith(':')) return false;
  let inQuote = false;
  for (let i = 0; i < body.length - 1; i++) {
    if (body[i] === '\\' && inQuote) i++;
    else if (body[i] === '"') inQuote = !inQuote;
  }
  return !inQuote;
}
