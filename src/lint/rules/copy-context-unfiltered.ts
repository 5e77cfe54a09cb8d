import { CONTEXT_PROBES } from '../dockerignore.js';
import { copySources } from './copy-sensitive-file.js';
import type { LintRule } from '../types.js';

const WHOLE_CONTEXT = new Set(['.', './', '*', './*', '/']);

/** `COPY . .` while .dockerignore is missing or lets .git, .env or keys through. */
export const copyContextUnfiltered: LintRule = {
  id: 'copy-context-unfiltered',
  version: 1,
  title: 'Whole build context copied without a .dockerignore excluding secrets',
  category: 'sensitive-files',
  severity: 'medium',
  rationale:
    '`COPY . .` copies everything in the build context that .dockerignore does not exclude: the .git folder (history, remotes with tokens), .env files and private keys end up in a layer.',
  fix: 'Add a .dockerignore next to the Dockerfile that excludes at least `.git`, `.env*`, `*.pem`, `*.key` and `id_rsa*` (or allow-list: `*` then `!src`), or copy only the paths the image needs.',
  check(ctx) {
    const ignore = ctx.options.dockerignore;
    if (ignore === undefined) return; // unknown context (e.g. stdin): nothing to check against
    for (const inst of ctx.file.instructions) {
      if ((inst.keyword !== 'COPY' && inst.keyword !== 'ADD') || inst.flags.some((f) => f.name === 'from'))
        continue;
      const src = copySources(inst, ctx.file.directives.escape).find((s) => WHOLE_CONTEXT.has(s.value));
      if (!src) continue;
      const leaking =
        ignore === null
          ? CONTEXT_PROBES.map((p) => p.label)
          : CONTEXT_PROBES.filter((p) => !ignore.excludes(p.path)).map((p) => p.label);
      if (leaking.length === 0) continue;
      ctx.report({
        instruction: inst,
        message:
          ignore === null
            ? `${inst.keyword} ${src.value} copies the whole build context and there is no .dockerignore: ${leaking.join(', ')} would be copied`
            : `${inst.keyword} ${src.value} copies the whole build context and .dockerignore does not exclude ${leaking.join(', ')}`,
      });
    }
  },
};
