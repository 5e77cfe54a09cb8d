import { tokenizeShell } from '../dockerfile/shell.js';
import { instructionsOf } from './helpers.js';
import type { LintRule } from '../types.js';

/** Parser diagnostics: unknown instructions, unterminated heredocs and quotes, missing arguments. */
export const dockerfileSyntax: LintRule = {
  id: 'dockerfile-syntax',
  version: 1,
  title: 'Dockerfile syntax error',
  category: 'syntax',
  severity: 'medium',
  rationale:
    'The builder rejects (or silently misreads) this Dockerfile; other rules may miss problems in the misparsed part.',
  fix: 'Correct the instruction as the message says (check spelling, close the quote or heredoc).',
  check(ctx) {
    for (const d of ctx.file.diagnostics) ctx.report({ range: d.range, message: d.message });
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      if (inst.json) continue;
      const { unterminatedAt } = tokenizeShell(inst.args);
      if (unterminatedAt !== undefined) {
        const start = inst.positionAt(inst.argsOffset + unterminatedAt);
        ctx.report({
          instruction: inst,
          range: { start, end: { line: start.line, column: start.column + 1 } },
          message: 'RUN: unterminated quote',
        });
      }
    }
  },
};
