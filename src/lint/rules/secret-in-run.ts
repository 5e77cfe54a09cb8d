import type { Range } from '../dockerfile/types.js';
import type { LintRule } from '../types.js';

/** Offset in `text` of a 1-based line and column. */
function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break;
    offset = nl + 1;
  }
  return offset + column - 1;
}

/**
 * Secrets the secret-scanning rules find in a RUN command or in a heredoc body (`RUN <<EOF`,
 * `COPY <<EOF /dest`): the same rules, severities and masking as `bulwark secrets`.
 */
export const secretInRun: LintRule = {
  id: 'secret-in-run',
  version: 1,
  title: 'Secret written into a RUN command or a heredoc',
  category: 'secrets',
  severity: 'high',
  rationale:
    'RUN commands are recorded in the image history and build logs, and heredoc bodies become files or scripts inside the image: a key, token or password written there ships with the image. Reported with the severity `bulwark secrets` gives the same secret.',
  fix: 'Remove the value. Mount it for the one step that needs it: `RUN --mount=type=secret,id=token …` and build with `--secret id=token,…`; write configuration files at run time.',
  equivalents: { trivy: ['DS031'] },
  check(ctx) {
    const detect = ctx.options.detectSecretsInText;
    if (!detect) return;
    for (const inst of ctx.file.instructions) {
      const target = inst.trigger ?? inst;
      if (target.keyword === 'RUN') {
        for (const f of detect(target.text)) {
          const start = target.positionAt(offsetOf(target.text, f.line, f.column));
          ctx.report({
            instruction: inst,
            range: { start, end: { line: start.line, column: start.column + 1 } },
            message: `RUN command holds a ${f.title}: ${f.masked}`,
            severity: f.severity,
          });
        }
      }
      if (target.keyword !== 'RUN' && target.keyword !== 'COPY' && target.keyword !== 'ADD') continue;
      for (const doc of target.heredocs) {
        for (const f of detect(doc.content)) {
          const line = doc.bodyStartLine + f.line - 1;
          const range: Range = {
            start: { line, column: f.column },
            end: { line: doc.bodyStartLine + f.endLine - 1, column: f.endColumn },
          };
          ctx.report({
            instruction: inst,
            range,
            message: `heredoc <<${doc.name} of ${target.keyword} holds a ${f.title}: ${f.masked}`,
            severity: f.severity,
          });
        }
      }
    }
  },
};
