import { isSecretLiteral, isSecretName } from '../secret-names.js';
import type { LintRule } from '../types.js';

/** ENV/ARG/LABEL with a secret-looking name (or a value a secret detector recognises) and a literal value. */
export const hardcodedSecret: LintRule = {
  id: 'hardcoded-secret',
  version: 1,
  title: 'Secret hard-coded in ENV, ARG or LABEL',
  category: 'secrets',
  severity: 'critical',
  rationale:
    'ENV and LABEL values are stored in the image configuration and ARG values in the build history: anyone who can pull the image can read them (`docker history`, `docker inspect`).',
  fix: 'Remove the value from the Dockerfile. For build-time secrets use `RUN --mount=type=secret,id=name` and `docker build --secret id=name,…`; for runtime secrets inject them when the container starts (orchestrator secrets, environment at run time).',
  equivalents: { trivy: ['DS031'] },
  check(ctx) {
    for (const inst of ctx.file.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword !== 'ENV' && target.keyword !== 'ARG' && target.keyword !== 'LABEL') continue;
      for (const pair of target.pairs) {
        // Only literals written in this file: `ENV TOKEN=$TOKEN` copies a build arg (see secret-build-arg).
        if (pair.rawValue === undefined || !isSecretLiteral(pair.rawValue)) continue;
        const value = pair.value ?? '';
        const byName = isSecretName(pair.key) && isSecretLiteral(value);
        const detected = ctx.options.detectSecret?.(value, pair.key);
        if (!byName && !detected) continue;
        const why = detected
          ? `its value looks like a ${detected.title}: ${detected.masked}`
          : 'its name suggests a secret';
        ctx.report({
          instruction: inst,
          range: pair.range,
          message: `${target.keyword} ${pair.key} has a hard-coded value (${why}); it is readable by anyone with the image`,
          ...(detected ? { severity: detected.severity } : {}),
        });
      }
    }
  },
};
