import { isTrustedRef } from '../image-ref.js';
import { pulledBases } from './helpers-from.js';
import type { LintRule } from '../types.js';

export const fromUntrustedRegistry: LintRule = {
  id: 'from-untrusted-registry',
  version: 1,
  title: 'Base image from a registry that is not trusted',
  category: 'supply-chain',
  severity: 'high',
  rationale:
    'Base images are code that runs in every container; they should come only from registries the organisation has approved (`lint.trustedRegistries`).',
  fix: 'Use an image from a trusted registry (mirror the image there), or add the registry to `lint.trustedRegistries` in .bulwark.yaml.',
  equivalents: { hadolint: ['DL3026'] },
  check(ctx) {
    const trusted = ctx.options.trustedRegistries;
    if (trusted.length === 0) return; // not configured: every registry is acceptable
    for (const base of pulledBases(ctx.file)) {
      if (!isTrustedRef(base.ref, trusted)) {
        ctx.report({
          instruction: base.from,
          message: `FROM ${base.image} pulls from ${base.ref.registry}, which is not in lint.trustedRegistries`,
        });
      }
    }
  },
};
