import { splitWords, unquote } from '../dockerfile/words.js';
import type { Instruction } from '../dockerfile/types.js';
import { matchSensitivePath } from '../sensitive-paths.js';
import type { LintRule } from '../types.js';

/** The source operands of COPY/ADD (everything but the destination), with their offsets in `args`. */
export function copySources(
  inst: Instruction,
  escape: string,
): { value: string; start: number; end: number }[] {
  if (inst.json) return inst.json.slice(0, -1).map((value) => ({ value, start: 0, end: inst.args.length }));
  const words = splitWords(inst.args, escape).words;
  return words
    .slice(0, -1)
    .filter((w) => !w.raw.startsWith('<<'))
    .map((w) => ({ value: unquote(w.raw, escape), start: w.start, end: w.end }));
}

/** COPY/ADD of private keys, keystores, credential files, dotenv files, Terraform state. */
export const copySensitiveFile: LintRule = {
  id: 'copy-sensitive-file',
  version: 1,
  title: 'Private key or credential file copied into the image',
  category: 'sensitive-files',
  severity: 'high',
  rationale:
    'A file copied by COPY/ADD is stored in a layer for good: deleting it in a later step does not remove it from the image, and anyone who can pull the image can extract it.',
  fix: 'Do not copy the file. Mount it only for the step that needs it (`RUN --mount=type=secret,id=key,target=/root/.ssh/id_rsa …` or `--mount=type=ssh`), or provide it at run time as a secret/volume. Exclude it in .dockerignore.',
  equivalents: { trivy: ['DS031'] },
  check(ctx) {
    const escape = ctx.file.directives.escape;
    for (const inst of ctx.file.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword !== 'COPY' && target.keyword !== 'ADD') continue;
      for (const src of copySources(target, escape)) {
        const match = matchSensitivePath(src.value);
        if (!match) continue;
        ctx.report({
          instruction: inst,
          range: {
            start: target.positionAt(target.argsOffset + src.start),
            end: target.positionAt(target.argsOffset + src.end),
          },
          message: `${target.keyword} ${src.value}: ${match.kind} copied into the image`,
        });
      }
    }
  },
};
