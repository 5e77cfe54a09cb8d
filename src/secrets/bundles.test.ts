/**
 * Minified and bundled front-end code is where browser-side keys leak: it is scanned like any other
 * file, and a multi-megabyte single line costs linear time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretEngine } from './engine.js';
import { scanPath } from './scan-files.js';
import { expandTemplate } from './test-support/fake.js';

const engine = new SecretEngine();
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STRIPE = expandTemplate('sk_live_{A:40}', 'bundle');
const AWS = expandTemplate('AKIA{U:16}', 'bundle');

/**
 * One line of minified webpack-style code of about `bytes` characters, dense in the words the rules
 * look for (`token`, `password`, `apiKey`, `secret`, `key`), with `inject` placed in the middle.
 */
function bundle(bytes: number, inject: string): string {
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  const half = bytes / 2;
  let injected = false;
  while (size < bytes) {
    const chunk =
      `function n${i}(e,t){var r=t.apiKey||e.token,o={password:r.secret,key:"k${i}"};` +
      `return e.map(function(a){return a.id+o.key+"${i.toString(36)}"})}` +
      `var c${i}=window.__TOKEN_${i % 7}__||"";`;
    parts.push(chunk);
    size += chunk.length;
    if (!injected && size >= half) {
      parts.push(inject);
      size += inject.length;
      injected = true;
    }
    i++;
  }
  return parts.join('');
}

describe('minified bundles', () => {
  it('scans *.min.js, *.min.css, bundles, chunks and source maps, and finds the key in them', async () => {
    const files: Record<string, string> = {
      'dist/app.min.js': `!function(){var s="${STRIPE}";}();`,
      'dist/app.bundle.js': `var cfg={aws:"${AWS}"};`,
      'dist/vendor.4f2a.chunk.js': `var cfg={aws:"${AWS}"};`,
      'dist/app.min.css': `.x{background:url("https://cdn.internal/a.png?key=${STRIPE}")}`,
      'dist/app.js.map': JSON.stringify({ version: 3, sourcesContent: [`const key = "${STRIPE}";\n`] }),
    };
    for (const [name, content] of Object.entries(files)) {
      const p = join(dir, 'web', name);
      mkdirp(p);
      writeFileSync(p, content);
    }
    const result = await scanPath(join(dir, 'web'), { engine });
    expect(result.stats.skippedGenerated).toBe(0);
    expect([...new Set(result.findings.map((f) => f.path))].sort()).toEqual(Object.keys(files).sort());
  });

  it('finds a key in the middle of a 5 MB single-line bundle, in time linear in its size', async () => {
    const small = join(dir, 'small.js');
    const large = join(dir, 'large.js');
    writeFileSync(small, bundle(1_250_000, `;var k="${STRIPE}";`));
    writeFileSync(large, bundle(5_000_000, `;var k="${STRIPE}";`));
    const time = async (path: string): Promise<[number, string[]]> => {
      const t0 = performance.now();
      const r = await scanPath(path, { engine });
      return [performance.now() - t0, r.findings.map((f) => f.ruleId)];
    };
    await time(small); // warm up (JIT, regex compilation)
    const [tSmall, smallRules] = await time(small);
    const [tLarge, largeRules] = await time(large);
    expect(smallRules).toContain('stripe-live-secret-key');
    expect(largeRules).toContain('stripe-live-secret-key');
    // Four times the input: well under sixteen times the time (quadratic), with room for a busy machine.
    expect(tLarge / Math.max(tSmall, 1)).toBeLessThan(10);
    expect(tLarge).toBeLessThan(30_000);
  }, 120_000);
});

function mkdirp(file: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
}
