import { pulledBases } from './helpers-from.js';
import type { LintRule } from '../types.js';

export const fromUnpinnedTag: LintRule = {
  id: 'from-unpinned-tag',
  version: 1,
  title: 'Base image without a tag or with :latest',
  category: 'supply-chain',
  severity: 'medium',
  rationale:
    'An untagged or `latest` base image changes whenever the publisher pushes: builds are not reproducible and a compromised or breaking release is picked up silently.',
  fix: 'Pin a specific version tag (`node:20.11-bookworm-slim`), ideally with its digest (`@sha256:…`) and a bot that updates it.',
  equivalents: { hadolint: ['DL3006', 'DL3007'], checkov: ['CKV_DOCKER_7'], trivy: ['DS001'] },
  check(ctx) {
    for (const base of pulledBases(ctx.file)) {
      if (base.ref.digest) continue; // pinned by digest: the tag does not matter
      if (base.ref.tag === undefined) {
        ctx.report({ instruction: base.from, message: `FROM ${base.image} has no tag (means :latest)` });
      } else if (base.ref.tag.toLowerCase() === 'latest') {
        ctx.report({ instruction: base.from, message: `FROM ${base.image} uses the mutable :latest tag` });
      }
    }
  },
};
