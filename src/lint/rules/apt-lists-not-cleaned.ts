import type { Instruction } from '../dockerfile/types.js';
import { at, commandsOf, hasCacheMount, imageStages, operands, program } from './helpers.js';
import { packageCommands } from './package-commands.js';
import type { LintRule } from '../types.js';

/** True when some command of the RUN deletes the apt lists. */
function removesLists(inst: Instruction): boolean {
  return commandsOf(inst).some(
    (c) =>
      program(c.words) === 'rm' && operands(c.words).some((w) => w.value.startsWith('/var/lib/apt/lists')),
  );
}

export const aptListsNotCleaned: LintRule = {
  id: 'apt-lists-not-cleaned',
  version: 1,
  title: 'apt lists left in the image',
  category: 'hygiene',
  severity: 'low',
  rationale:
    '`apt-get update` downloads package lists (tens of MB) that stay in the layer unless removed in the same RUN; they make the image larger and stale.',
  fix: 'End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or use `RUN --mount=type=cache,target=/var/lib/apt/lists …`.',
  equivalents: { hadolint: ['DL3009'] },
  check(ctx) {
    // Only stages that end up in the image: a builder stage's caches are thrown away.
    for (const stage of imageStages(ctx.file)) {
      for (const inst of stage.instructions) {
        if (inst.keyword !== 'RUN' || hasCacheMount(inst, /^\/var\/lib\/apt(?:\/lists)?\/?$/)) continue;
        const update = [...packageCommands(inst)].find((p) => p.manager === 'apt' && p.sub === 'update');
        if (!update || removesLists(inst)) continue;
        ctx.report({
          instruction: inst,
          range: at(update.located.position, program(update.located.words).length),
          message: 'apt-get update without rm -rf /var/lib/apt/lists/* in the same RUN',
        });
      }
    }
  },
};
