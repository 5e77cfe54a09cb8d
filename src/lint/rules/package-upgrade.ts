import { at, commandsOf, instructionsOf, operands, program } from './helpers.js';
import type { LintRule } from '../types.js';

const UPGRADES: Readonly<Record<string, ReadonlySet<string>>> = {
  'apt-get': new Set(['upgrade', 'dist-upgrade', 'full-upgrade']),
  apt: new Set(['upgrade', 'dist-upgrade', 'full-upgrade']),
  apk: new Set(['upgrade']),
  yum: new Set(['upgrade', 'update']),
  dnf: new Set(['upgrade', 'update', 'distro-sync']),
};

/** `apt-get upgrade`/`dist-upgrade` (and the apk/yum/dnf equivalents) in RUN. */
export const packageUpgrade: LintRule = {
  id: 'package-upgrade',
  version: 1,
  title: 'Distribution upgrade inside the image build',
  category: 'supply-chain',
  severity: 'low',
  rationale:
    'Upgrading every package at build time makes the image depend on the day it was built (not reproducible) and hides that the base image is outdated; updates belong in a newer base image.',
  fix: 'Use a current base image tag and rebuild when it is updated; install only the specific packages you need (pinning them when necessary).',
  equivalents: { hadolint: ['DL3005'], trivy: ['DS024'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const c of commandsOf(inst)) {
        const prog = program(c.words);
        const subs = UPGRADES[prog];
        const sub = operands(c.words)[0]?.value;
        // `yum update pkg` updates one package; only a bare update is a distribution upgrade.
        if (!subs || sub === undefined || !subs.has(sub)) continue;
        if ((prog === 'yum' || prog === 'dnf') && operands(c.words).length > 1) continue;
        ctx.report({
          instruction: inst,
          range: at(c.position, prog.length),
          message: `${prog} ${sub} upgrades all packages during the build`,
        });
      }
    }
  },
};
