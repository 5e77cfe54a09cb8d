import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test-support/images.js';
import { SecretEngine } from './engine.js';
import { PLACEHOLDER_WORDS, isPlaceholder } from './placeholder.js';
import { scanPath } from './scan-files.js';
import { expandTemplate } from './test-support/fake.js';

const engine = new SecretEngine();
const x = (t: string): string => expandTemplate(t, 'placeholder');

describe('placeholder filtering', () => {
  it.each([
    ['AKIAIOSFODNN7EXAMPLE'],
    ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['sk_live_example_0000000000000000'],
    ['your-api-key-here'],
    ['myExampleToken42'],
    ['changeme'],
    ['xxxxxxxxxxxxxxxxxxxx'],
    ['${GITHUB_TOKEN}'],
    ['{{ .Values.password }}'],
    ['abababababab'],
  ])('%s is a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each([
    // Random bodies that contain a placeholder word inside them, not as a word.
    [`${x('{A:11}')}7example${x('{A:20}')}`],
    [`Q${x('{A:12}')}testq${x('{A:12}')}`],
    [`${x('{A:8}')}2sampleZ${x('{A:8}')}`],
  ])('%s is not', (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });

  it('reports a realistic key with "example" inside its body, and keys under test/ paths', async () => {
    const body = `${x('{A:10}')}4example${x('{A:22}')}`;
    const stripe = `sk_live_${body}`;
    const found = engine.scanText(`STRIPE_SECRET_KEY=${stripe}\n`).map((f) => f.ruleId);
    expect(found).toEqual(['stripe-live-secret-key']);

    const root = mkdtempSync(join(tmpdir(), 'bulwark-placeholder-'));
    try {
      mkdirSync(join(root, 'test', 'fixtures'), { recursive: true });
      writeFileSync(join(root, 'test', 'fixtures', 'settings_test.py'), `STRIPE_KEY = "${stripe}"\n`);
      const result = await scanPath(root, { engine });
      expect(result.findings.map((f) => `${f.path} ${f.ruleId}`)).toEqual([
        'test/fixtures/settings_test.py stripe-live-secret-key',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('docs/secrets.md lists every placeholder word', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'secrets.md'), 'utf8');
    const section = doc.split('### What is not a finding')[1]?.split('\n## ')[0] ?? '';
    for (const w of PLACEHOLDER_WORDS) expect(section, w).toContain(`\`${w}\``);
  });
});

describe('one value, one finding', () => {
  it('keeps the most specific rule when several match the same value', () => {
    const value = x('{A:32}');
    // Two generic rules (`token`, `secret`) on one assignment: one finding.
    const generic = engine.scanText(`client_secret_token = "${value}"\n`);
    expect(generic).toHaveLength(1);
    // A specific rule and the generic ones on the same value: the specific rule alone.
    const gh = x('ghp_{gh}');
    const specific = engine.scanText(`GITHUB_SECRET_TOKEN=${gh}\n`);
    expect(specific.map((f) => f.ruleId)).toEqual(['github-pat-token']);
  });
});
