import { at, instructionsOf } from './helpers.js';
import { packageCommands } from './package-commands.js';
import type { LintRule } from '../types.js';

export const aptGetNoInstallRecommends: LintRule = {
  id: 'apt-get-no-install-recommends',
  version: 1,
  title: 'apt-get install without --no-install-recommends',
  category: 'hygiene',
  severity: 'low',
  rationale:
    'Recommended packages are not needed to run the software but add size and attack surface (more packages, more CVEs to triage).',
  fix: 'Add `--no-install-recommends` and list the few extra packages you really need.',
  equivalents: { hadolint: ['DL3015'], trivy: ['DS029'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const p of packageCommands(inst)) {
        if (p.manager !== 'apt' || p.sub !== 'install') continue;
        const ok = p.args.some(
          (w, k) =>
            w.value === '--no-install-recommends' ||
            (w.value === '-o' && /^APT::Install-Recommends=(?:false|0)$/i.test(p.args[k + 1]?.value ?? '')) ||
            /^-oAPT::Install-Recommends=(?:false|0)$/i.test(w.value),
        );
        if (!ok)
          ctx.report({
            instruction: inst,
            range: at(p.located.position, 7),
            message: 'apt-get install without --no-install-recommends',
          });
      }
    }
  },
};
