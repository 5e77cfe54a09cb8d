import { unquote } from '../dockerfile/words.js';
import type { LintRule } from '../types.js';

export const relativeWorkdir: LintRule = {
  id: 'relative-workdir',
  version: 1,
  title: 'WORKDIR with a relative path',
  category: 'hygiene',
  severity: 'low',
  rationale:
    'A relative WORKDIR is resolved against the previous one (or the base image’s), so the effective directory changes silently when the base image changes.',
  fix: 'Use an absolute path: `WORKDIR /app`.',
  equivalents: { hadolint: ['DL3000'], checkov: ['CKV_DOCKER_10'], trivy: ['DS009'] },
  check(ctx) {
    for (const inst of ctx.file.instructions) {
      if (inst.keyword !== 'WORKDIR' || !inst.args) continue;
      // Windows paths (C:\app, checked before unquoting eats the backslash) and unresolved variables
      // are not relative paths we can judge.
      if (/^["']?[A-Za-z]:[\\/]/.test(inst.expanded.trim())) continue;
      const dir = unquote(inst.expanded.trim(), ctx.file.directives.escape);
      if (dir.startsWith('/') || dir.startsWith('$')) continue;
      ctx.report({ instruction: inst, message: `WORKDIR ${dir} is relative` });
    }
  },
};
