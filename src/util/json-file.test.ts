import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from './errors.js';
import { readJsonFile } from './json-file.js';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-json-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = {
  maxBytes: 64,
  tooLarge: () => new InputError('E_BIG', 'too large'),
  notJson: (detail: string) => new InputError('E_SYNTAX', `bad: ${detail}`),
  notFile: () => new InputError('E_NOT_FILE', 'not a file'),
};

describe('readJsonFile', () => {
  it('reads and parses a file relative to cwd', () => {
    writeFileSync(join(dir, 'ok.json'), '{"a":[1]}');
    expect(readJsonFile('ok.json', dir, options)).toEqual({ path: join(dir, 'ok.json'), doc: { a: [1] } });
  });

  it('fails with one line per kind of problem, in the words of the caller', () => {
    writeFileSync(join(dir, 'big.json'), `[${'1,'.repeat(100)}1]`);
    writeFileSync(join(dir, 'bad.json'), '{"a":\n');
    mkdirSync(join(dir, 'sub'));
    expect(() => readJsonFile('big.json', dir, options)).toThrow('too large');
    expect(() => readJsonFile('bad.json', dir, options)).toThrow(/^bad: [^\n]+$/);
    expect(() => readJsonFile('sub', dir, options)).toThrow('not a file');
    expect(() => readJsonFile('missing.json', dir, options)).toThrow(
      'missing.json: no such file or directory',
    );
  });
});
