import { at } from './helpers.js';
import { instructionsOf } from './helpers.js';
import { packageCommands } from './package-commands.js';
import type { LintRule } from '../types.js';

export const aptGetMissingYes: LintRule = {
  id: 'apt-get-missing-yes',
  version: 1,
  title: 'apt-get install without -y',
  category: 'hygiene',
  severity: 'low',
  rationale:
    'Without -y apt-get asks for confirmation; in a non-interactive build it aborts, or behaves differently depending on the number of packages.',
  fix: 'Use `apt-get install -y --no-install-recommends <packages>`.',
  equivalents: { hadolint: ['DL3014'], trivy: ['DS021'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const p of packageCommands(inst)) {
        if (p.manager !== 'apt' || p.sub !== 'install') continue;
        const yes = p.args.some((w) => {
          const v = w.value;
          return (
            v === '--yes' ||
            v === '--assume-yes' ||
            v === '-qq' ||
            v === '-q=2' ||
            v === '--quiet=2' ||
            (/^-[a-z]+$/.test(v) && v.includes('y'))
          );
        });
        if (!yes)
          ctx.report({
            instruction: inst,
            range: at(p.located.position, 7),
            message: 'apt-get install without -y (the build may stop at a prompt)',
          });
      }
    }
  },
};
