import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../test-support/images.js';
import { IMAGE_RULE_LIST } from './image/rules.js';
import { RULES } from './rules/index.js';

describe('docs/lint.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'lint.md'), 'utf8');
  it.each([...RULES, ...IMAGE_RULE_LIST].map((r) => [r.id, r.severity] as const))(
    'documents %s (default %s)',
    (id, severity) => {
      const section = doc.split(`#### ${id}\n`)[1];
      expect(section, `section for ${id}`).toBeDefined();
      expect(section!.slice(0, 400)).toContain(`default severity **${severity}**`);
    },
  );
});
