import { parseSuppression } from '../suppression.js';
import type { LintRule } from '../types.js';

export const suppressionWithoutReason: LintRule = {
  id: 'suppression-without-reason',
  version: 1,
  title: 'Suppression comment without a reason or with an unknown rule',
  category: 'syntax',
  severity: 'low',
  rationale:
    'A suppression is a decision someone has to be able to review later; without a reason it cannot be reviewed, so Bulwark does not honour it.',
  fix: 'Write `# bulwark-ignore: <rule-id> <why this is acceptable here>` on the line before the instruction.',
  check(ctx) {
    for (const comment of ctx.file.comments) {
      const s = parseSuppression(comment);
      if (!s) continue;
      const range = {
        start: { line: s.line, column: s.column },
        end: { line: s.line, column: s.column + 1 },
      };
      if (s.ruleIds.length === 0) {
        ctx.report({ range, message: 'bulwark-ignore without a rule id' });
        continue;
      }
      const unknown = s.ruleIds.filter((id) => !ctx.ruleIds.has(id));
      if (unknown.length)
        ctx.report({ range, message: `bulwark-ignore names unknown rule ${unknown.join(', ')}` });
      if (!s.reason)
        ctx.report({
          range,
          message: `bulwark-ignore: ${s.ruleIds.join(',')} has no reason and is not applied`,
        });
    }
  },
};
