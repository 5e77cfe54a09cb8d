import { pulledBases } from './helpers-from.js';
import type { LintRule } from '../types.js';

export const fromWithoutDigest: LintRule = {
  id: 'from-without-digest',
  version: 1,
  title: 'Base image not pinned by digest',
  category: 'supply-chain',
  severity: 'info',
  rationale:
    'Tags can be moved to a different image; only a digest guarantees the build uses the exact bytes that were reviewed.',
  fix: 'Append the digest: `FROM node:20.11-bookworm-slim@sha256:…` and let a dependency bot update it.',
  check(ctx) {
    for (const base of pulledBases(ctx.file)) {
      if (!base.ref.digest)
        ctx.report({ instruction: base.from, message: `FROM ${base.image} is not pinned by digest` });
    }
  },
};
