import { at, hasCacheMount, imageStages } from './helpers.js';
import { hasWord, packageCommands } from './package-commands.js';
import type { LintRule } from '../types.js';

export const apkAddNoCache: LintRule = {
  id: 'apk-add-no-cache',
  version: 1,
  title: 'apk add without --no-cache',
  category: 'hygiene',
  severity: 'low',
  rationale:
    'Without --no-cache apk keeps its index and package cache in the layer, adding size for nothing.',
  fix: 'Use `apk add --no-cache <packages>` (and drop a separate `apk update`).',
  equivalents: { hadolint: ['DL3019'], trivy: ['DS025'] },
  check(ctx) {
    for (const stage of imageStages(ctx.file)) {
      for (const inst of stage.instructions) {
        if (inst.keyword !== 'RUN' || hasCacheMount(inst, /^\/(?:var\/cache\/apk|etc\/apk\/cache)\/?$/))
          continue;
        for (const p of packageCommands(inst)) {
          if (p.manager === 'apk' && p.sub === 'add' && !hasWord(p.args, '--no-cache')) {
            ctx.report({
              instruction: inst,
              range: at(p.located.position, 3),
              message: 'apk add without --no-cache',
            });
          }
        }
      }
    }
  },
};
