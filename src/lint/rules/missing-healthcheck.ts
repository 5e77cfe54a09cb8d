import { imageStages } from './helpers.js';
import type { LintRule } from '../types.js';

export const missingHealthcheck: LintRule = {
  id: 'missing-healthcheck',
  version: 1,
  title: 'No HEALTHCHECK in the final stage',
  category: 'hygiene',
  severity: 'info',
  rationale:
    'Without a HEALTHCHECK, Docker and Swarm cannot tell a hung process from a healthy one (Kubernetes uses its own probes instead).',
  fix: 'Add `HEALTHCHECK CMD <command that fails when the service is unhealthy>`, or `HEALTHCHECK NONE` to state that probes are defined elsewhere.',
  equivalents: { checkov: ['CKV_DOCKER_2'], trivy: ['DS026'] },
  check(ctx) {
    const stages = imageStages(ctx.file);
    const final = stages[0];
    if (!final || (final.image.toLowerCase() === 'scratch' && final.instructions.length === 0)) return;
    if (stages.some((s) => s.instructions.some((i) => i.keyword === 'HEALTHCHECK'))) return;
    ctx.report({ instruction: final.from, message: 'the final stage has no HEALTHCHECK' });
  },
};
