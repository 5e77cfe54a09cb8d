import { at, commandsOf, instructionsOf } from './helpers.js';
import { basename } from '../dockerfile/shell.js';
import type { LintRule } from '../types.js';

export const sudoInRun: LintRule = {
  id: 'sudo-in-run',
  version: 1,
  title: 'sudo used in RUN',
  category: 'root',
  severity: 'medium',
  rationale:
    'sudo in an image means a sudo binary and a sudoers policy ship with it, giving any process that runs as the app user a path back to root; during the build it is unnecessary (switch USER instead).',
  fix: 'Run the privileged steps before `USER app` (or switch with `USER root` … `USER app`), and do not install sudo; use `gosu`/`su-exec` for entrypoints that must drop privileges.',
  equivalents: { hadolint: ['DL3004'], checkov: ['CKV2_DOCKER_1'], trivy: ['DS010'] },
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      for (const c of commandsOf(inst)) {
        if (basename(c.command.words[0]?.value ?? '') === 'sudo') {
          ctx.report({ instruction: inst, range: at(c.position, 4), message: 'sudo used in RUN' });
        }
      }
    }
  },
};
