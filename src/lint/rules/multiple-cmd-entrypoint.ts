import type { LintRule } from '../types.js';

export const multipleCmdEntrypoint: LintRule = {
  id: 'multiple-cmd-entrypoint',
  version: 1,
  title: 'Several CMD or ENTRYPOINT instructions in one stage',
  category: 'hygiene',
  severity: 'low',
  rationale:
    'Only the last CMD/ENTRYPOINT of a stage takes effect; earlier ones are dead code that misleads readers about what the container runs.',
  fix: 'Keep a single CMD and a single ENTRYPOINT per stage.',
  equivalents: { hadolint: ['DL4003', 'DL4004'], trivy: ['DS016', 'DS007'] },
  check(ctx) {
    for (const stage of ctx.file.stages) {
      for (const keyword of ['CMD', 'ENTRYPOINT']) {
        const all = stage.instructions.filter((i) => i.keyword === keyword);
        for (const inst of all.slice(0, -1)) {
          ctx.report({
            instruction: inst,
            message: `${keyword} is overridden by a later ${keyword} at line ${all[all.length - 1]!.range.start.line}`,
          });
        }
      }
    }
  },
};
