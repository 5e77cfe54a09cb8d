import { at, instructionsOf } from './helpers.js';
import { packageCommands, positional } from './package-commands.js';
import type { LintRule } from '../types.js';

const PIP_PINNED = /(?:===?|~=|>=|<=|<|>|@)/;

export const unpinnedPackage: LintRule = {
  id: 'unpinned-package',
  version: 1,
  title: 'Package installed without a version',
  category: 'hygiene',
  severity: 'info',
  rationale:
    'Unpinned packages make the image depend on the day it was built; pinning makes builds reproducible and upgrades deliberate.',
  fix: 'Pin versions: `apt-get install curl=7.88.1-10+deb12u5`, `apk add curl=8.5.0-r0`, `pip install requests==2.31.0` (or a requirements file with hashes).',
  equivalents: { hadolint: ['DL3008', 'DL3018', 'DL3013'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const p of packageCommands(inst)) {
        const install =
          (p.manager === 'apt' && p.sub === 'install') ||
          (p.manager === 'apk' && p.sub === 'add') ||
          (p.manager === 'pip' && p.sub === 'install');
        if (!install) continue;
        const pkgs = positional(p.args, p.manager)
          .slice(1)
          .map((w) => w.value);
        const unpinned = pkgs.filter((name) => {
          if (name.includes('$')) return false;
          if (p.manager === 'apt')
            return !name.includes('=') && !name.endsWith('.deb') && !name.includes('/');
          if (p.manager === 'apk') return !/[=~<>]/.test(name);
          // pip: paths, URLs, archives and VCS requirements are not index packages
          if (/^(?:\.|\/|git\+|https?:)/.test(name) || /\.(?:whl|tar\.gz|zip)$/.test(name)) return false;
          return !PIP_PINNED.test(name);
        });
        if (unpinned.length) {
          const list =
            unpinned.slice(0, 5).join(', ') + (unpinned.length > 5 ? `, … (${unpinned.length} in all)` : '');
          ctx.report({
            instruction: inst,
            range: at(p.located.position, 3),
            message: `${p.manager} packages without a pinned version: ${list}`,
          });
        }
      }
    }
  },
};
