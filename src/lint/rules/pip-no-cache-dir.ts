import { at, hasCacheMount, imageStages } from './helpers.js';
import { hasWord, packageCommands } from './package-commands.js';
import type { LintRule } from '../types.js';

export const pipNoCacheDir: LintRule = {
  id: 'pip-no-cache-dir',
  version: 1,
  title: 'pip install without --no-cache-dir',
  category: 'hygiene',
  severity: 'low',
  rationale:
    'pip keeps downloaded wheels in ~/.cache/pip; in an image layer that is dead weight (often hundreds of MB for ML stacks).',
  fix: 'Use `pip install --no-cache-dir …`, set `ENV PIP_NO_CACHE_DIR=1`, or use `RUN --mount=type=cache,target=/root/.cache/pip`.',
  equivalents: { hadolint: ['DL3042'] },
  check(ctx) {
    for (const stage of imageStages(ctx.file)) {
      const envOff = stage.variables.has('PIP_NO_CACHE_DIR');
      if (envOff) continue;
      for (const inst of stage.instructions) {
        if (inst.keyword !== 'RUN' || hasCacheMount(inst, /\.cache\/pip\/?$/)) continue;
        for (const p of packageCommands(inst)) {
          if (p.manager === 'pip' && p.sub === 'install' && !hasWord(p.args, '--no-cache-dir')) {
            ctx.report({
              instruction: inst,
              range: at(p.located.position, 3),
              message: 'pip install without --no-cache-dir',
            });
          }
        }
      }
    }
  },
};
