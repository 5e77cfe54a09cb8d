import { splitWords, unquote } from '../dockerfile/words.js';
import type { Instruction, Stage } from '../dockerfile/types.js';
import type { LintRule } from '../types.js';

/** `root`, `0`, `root:root`, `0:0`, `root:1000`: the user part decides. */
export function isRootUser(user: string): boolean {
  const name = user.split(':')[0]!.trim();
  return name === 'root' || /^0+$/.test(name);
}

/** Last USER of a stage, following `FROM <earlier stage>` when the stage sets none. */
function lastUser(stages: readonly Stage[], stage: Stage): Instruction | undefined {
  for (let s: Stage | undefined = stage, guard = 0; s && guard <= stages.length; guard++) {
    for (let k = s.instructions.length - 1; k >= 0; k--)
      if (s.instructions[k]!.keyword === 'USER') return s.instructions[k];
    s = s.baseStage !== undefined ? stages[s.baseStage] : undefined;
  }
  return undefined;
}

/** The final stage runs as root: no USER, or the last USER is root/0. */
export const finalUserRoot: LintRule = {
  id: 'final-user-root',
  version: 1,
  title: 'Container runs as root',
  category: 'root',
  severity: 'high',
  rationale:
    'Without a USER instruction the container process runs as root (uid 0); a compromise of the application is then root inside the container, one kernel or runtime bug away from the host.',
  fix: 'Create an unprivileged user and switch to it at the end of the final stage: `RUN useradd --uid 10001 app` then `USER 10001` (a numeric uid also satisfies Kubernetes `runAsNonRoot`).',
  equivalents: { hadolint: ['DL3002'], checkov: ['CKV_DOCKER_3', 'CKV_DOCKER_8'], trivy: ['DS002'] },
  check(ctx) {
    const stages = ctx.file.stages;
    const final = stages[stages.length - 1];
    // `FROM scratch` images run as uid 0 too unless they set USER: no exemption.
    if (!final) return;
    const user = lastUser(stages, final);
    if (!user) {
      ctx.report({
        instruction: final.from,
        message: 'the final stage sets no USER: the container runs as root',
      });
      return;
    }
    const value = unquote(
      splitWords(user.expanded, ctx.file.directives.escape).words[0]?.raw ?? '',
      ctx.file.directives.escape,
    );
    if (value.includes('$')) return; // decided at build time
    if (isRootUser(value)) {
      ctx.report({
        instruction: user,
        message: `the last USER of the final stage is ${value}: the container runs as root`,
      });
    }
  },
};
