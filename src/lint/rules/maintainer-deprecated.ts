import type { LintRule } from '../types.js';

export const maintainerDeprecated: LintRule = {
  id: 'maintainer-deprecated',
  version: 1,
  title: 'MAINTAINER is deprecated',
  category: 'hygiene',
  severity: 'info',
  rationale:
    'MAINTAINER has been deprecated since Docker 1.13; the information belongs in a standard label that tools read.',
  fix: 'Replace it with `LABEL org.opencontainers.image.authors="name <email>"`.',
  equivalents: { hadolint: ['DL4000'], checkov: ['CKV_DOCKER_6'], trivy: ['DS022'] },
  check(ctx) {
    for (const inst of ctx.file.instructions) {
      if (inst.keyword === 'MAINTAINER')
        ctx.report({
          instruction: inst,
          message: 'MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors',
        });
    }
  },
};
