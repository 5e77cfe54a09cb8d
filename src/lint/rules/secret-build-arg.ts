import { isSecretName } from '../secret-names.js';
import { hasSecretMount } from './helpers.js';
import type { LintRule } from '../types.js';

const REFERENCE = /\$\{?([A-Za-z_][A-Za-z0-9_]*)/g;

/** RUN using a secret-named build argument or variable instead of a secret mount. */
export const secretBuildArg: LintRule = {
  id: 'secret-build-arg',
  version: 1,
  title: 'Secret passed as a build argument instead of a secret mount',
  category: 'secrets',
  severity: 'medium',
  rationale:
    'Build arguments and ENV values used by RUN are recorded in the image history (`|1 NPM_TOKEN=… /bin/sh -c …`) or its configuration, so the secret ships with the image; `ENV X=$SECRET_ARG` copies the build argument into the image configuration for good.',
  fix: 'Declare nothing; mount the secret for that one step: `RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci` and build with `--secret id=npm_token,env=NPM_TOKEN`.',
  equivalents: { trivy: ['DS031'] },
  check(ctx) {
    for (const stage of ctx.file.stages) {
      // Names in scope so far: inherited from the base stage, then declared in order.
      const base = stage.baseStage !== undefined ? ctx.file.stages[stage.baseStage] : undefined;
      const names = new Set([...(base?.variables.keys() ?? [])].filter(isSecretName));
      for (const inst of stage.instructions) {
        if (inst.keyword === 'ENV') {
          // `ENV X=$TOKEN` copies a secret build argument into the image configuration.
          for (const p of inst.pairs) {
            const refs = [...(p.rawValue ?? '').matchAll(REFERENCE)]
              .map((m) => m[1]!)
              .filter((n) => names.has(n) && stage.args.has(n));
            if (refs.length) {
              ctx.report({
                instruction: inst,
                range: p.range,
                message: `ENV ${p.key} stores the build argument $${refs[0]} in the image configuration — use RUN --mount=type=secret instead`,
              });
            }
          }
        }
        if (inst.keyword === 'ARG' || inst.keyword === 'ENV') {
          for (const p of inst.pairs) if (isSecretName(p.key)) names.add(p.key);
          continue;
        }
        if (inst.keyword !== 'RUN' || names.size === 0 || hasSecretMount(inst)) continue;
        const used = new Set<string>();
        const sources = [inst.json ? inst.json.join(' ') : inst.args, ...inst.heredocs.map((h) => h.content)];
        for (const text of sources)
          for (const m of text.matchAll(REFERENCE)) if (names.has(m[1]!)) used.add(m[1]!);
        for (const name of [...used].sort()) {
          const kind = stage.args.has(name) ? 'build argument' : 'environment variable';
          ctx.report({
            instruction: inst,
            message: `RUN uses the ${kind} $${name}; its value is recorded in the image — use RUN --mount=type=secret instead`,
          });
        }
      }
    }
  },
};
