import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test-support/images.js';
import { maxOf, minOf, pushAll } from './arrays.js';

describe('array helpers at sizes where spreading overflows the stack', () => {
  const big = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);

  it('spreading really overflows at this size (the reason for the helpers)', () => {
    expect(() => Math.max(...big)).toThrow(RangeError);
    expect(() => [].push(...(big as never[]))).toThrow(RangeError);
  });

  it('maxOf / minOf', () => {
    expect(maxOf(big)).toBe(big.reduce((a, b) => (b > a ? b : a)));
    expect(minOf(big)).toBe(big.reduce((a, b) => (b < a ? b : a)));
    expect(maxOf([], 0)).toBe(0);
    expect(maxOf([-5, -3])).toBe(-3);
    expect(maxOf([1, 2], 10)).toBe(10);
    expect(minOf([], 70)).toBe(70);
  });

  it('pushAll keeps order and returns the target', () => {
    const target = [-1];
    expect(pushAll(target, big)).toBe(target);
    expect(target).toHaveLength(big.length + 1);
    expect(target[1]).toBe(big[0]);
    expect(target.at(-1)).toBe(big.at(-1));
    expect(pushAll([1], new Set([2, 3]))).toEqual([1, 2, 3]);
  });
});

describe('no argument spreads in the sources', () => {
  it('no Math.max/min(...xs), push/unshift/splice(...xs) or fromCharCode(...xs) outside tests', () => {
    const bad =
      /Math\.(max|min)\([^)]*\.\.\.|\.(push|unshift|splice)\([^)]*\.\.\.(?!\s*\{)|String\.from(CharCode|CodePoint)\([^)]*\.\.\./;
    const hits: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && e.name !== 'arrays.ts') {
          readFileSync(p, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              // Object spreads inside a pushed literal (`push({ ...x })`) are fine.
              let flat = line;
              for (let prev = ''; prev !== flat;) [prev, flat] = [flat, flat.replace(/\{[^{}]*\}/g, '()')];
              if (bad.test(flat)) hits.push(`${p}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(join(REPO_ROOT, 'src'));
    expect(hits).toEqual([]);
  });
});
