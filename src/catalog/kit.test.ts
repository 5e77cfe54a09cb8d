import { describe, expect, it } from 'vitest';
import { InputError } from '../util/errors.js';
import { cmp, decode, isRecord, parseJson, str, stringField } from './kit.js';

describe('cataloger kit', () => {
  it('parses JSON text and bytes (without a byte-order mark) alike', () => {
    expect(parseJson('{"a":1}', 'x.json')).toEqual({ a: 1 });
    expect(parseJson(Buffer.from('\ufeff{"a":1}'), 'x.json')).toEqual({ a: 1 });
    expect(decode(Buffer.from('\ufeffhi'))).toBe('hi');
  });

  it('turns a syntax error into one typed line that names the file kind', () => {
    let caught: unknown;
    try {
      parseJson('{"a": ', 'package.json');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as Error).message).toMatch(/^malformed package\.json: invalid JSON \(.+\)$/);
    expect((caught as Error).message).not.toContain('\n');
  });

  it('reads untrusted shapes', () => {
    expect([isRecord({}), isRecord([]), isRecord(null), isRecord('x')]).toEqual([true, false, false, false]);
    expect([str('a'), str(''), str(1)]).toEqual(['a', undefined, undefined]);
    expect(stringField({ a: ' x ', b: ' ', c: 2 }, 'a')).toBe('x');
    expect(stringField({ b: ' ' }, 'b')).toBeUndefined();
    expect(stringField([], 'length')).toBeUndefined();
    expect(['b', 'a', 'B'].sort(cmp)).toEqual(['B', 'a', 'b']);
  });
});
