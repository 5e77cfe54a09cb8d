import { at, commandsOf, instructionsOf, program } from './helpers.js';
import type { LintRule } from '../types.js';

export const cdInRun: LintRule = {
  id: 'cd-in-run',
  version: 1,
  title: 'cd used in RUN instead of WORKDIR',
  category: 'hygiene',
  severity: 'info',
  rationale:
    'A `cd` only lasts for its RUN; later instructions silently run elsewhere. WORKDIR makes the directory explicit and persistent.',
  fix: 'Use `WORKDIR /path` before the RUN, or tools’ directory options (`make -C dir`, `npm --prefix dir`).',
  equivalents: { hadolint: ['DL3003'], trivy: ['DS013'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const c of commandsOf(inst)) {
        if (program(c.words) === 'cd')
          ctx.report({ instruction: inst, range: at(c.position, 2), message: 'cd in RUN: use WORKDIR' });
      }
    }
  },
};
