import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SecretEngine } from '../engine.js';
import { expandTemplate } from '../test-support/fake.js';
import { SEVERITIES } from '../types.js';
import { BUILTIN_RULES, FILE_RULES } from './index.js';

const engine = new SecretEngine();

describe('built-in secret rules (contract)', () => {
  it('has at least 150 content rules with unique kebab-case ids', () => {
    expect(BUILTIN_RULES.length).toBeGreaterThanOrEqual(150);
    const ids = [...BUILTIN_RULES.map((r) => r.id), ...FILE_RULES.map((r) => r.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it.each(BUILTIN_RULES.map((r) => [r.id, r] as const))('%s is well-formed', (_id, rule) => {
    expect(SEVERITIES).toContain(rule.severity);
    expect(rule.title.length).toBeGreaterThan(3);
    expect(rule.keywords.length).toBeGreaterThan(0);
    for (const kw of rule.keywords) expect(kw).toBe(kw.toLowerCase());
    expect(() => new RegExp(rule.regex.source, rule.regex.flags)).not.toThrow();
    expect(rule.regex.flags).not.toMatch(/[gy]/);
    expect(rule.examples.length).toBeGreaterThan(0);
  });

  it.each(BUILTIN_RULES.map((r) => [r.id, r] as const))(
    '%s finds its examples and ignores its placeholder',
    (_id, rule) => {
      for (const template of rule.examples) {
        const text = expandTemplate(template, rule.id);
        const found = engine.scanText(text).filter((f) => f.ruleId === rule.id);
        expect(found, `example ${JSON.stringify(text.slice(0, 120))}`).toHaveLength(1);
        // A keyword must occur in every example: the pre-filter would otherwise never run the rule.
        expect(rule.keywords.some((k) => text.toLowerCase().includes(k))).toBe(true);
      }
      expect(engine.scanText(rule.placeholder).map((f) => f.ruleId)).toEqual([]);
    },
  );
});

describe('docs/secrets.md', () => {
  it('lists every built-in rule', () => {
    const docs = readFileSync(
      join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'secrets.md'),
      'utf8',
    );
    const missing = [...BUILTIN_RULES, ...FILE_RULES]
      .map((r) => r.id)
      .filter((id) => !new RegExp(`\\|\\s*\`${id}\`\\s*\\|`).test(docs));
    expect(missing).toEqual([]);
  });
});
