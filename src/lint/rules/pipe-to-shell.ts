import { at, commandsOf, instructionsOf, program } from './helpers.js';
import type { LintRule } from '../types.js';

const DOWNLOADERS = new Set(['curl', 'wget']);
const SHELLS = new Set([
  'sh',
  'bash',
  'ash',
  'dash',
  'zsh',
  'ksh',
  'python',
  'python3',
  'perl',
  'ruby',
  'node',
]);

/** `curl … | sh`, `wget -O- … | bash`, `sh -c "$(curl …)"`, `bash <(curl …)`. */
export const pipeToShell: LintRule = {
  id: 'pipe-to-shell',
  version: 1,
  title: 'Downloaded script piped straight into a shell',
  category: 'supply-chain',
  severity: 'high',
  rationale:
    'Piping a download into a shell runs whatever the server (or anyone able to tamper with it) returns, unreviewed and unverified, with the build user’s privileges.',
  fix: 'Download to a file, verify a pinned checksum or signature (`echo "<sha256>  install.sh" | sha256sum -c`), then run it; better, install from a package repository.',
  check(ctx) {
    for (const inst of instructionsOf(ctx.file, 'RUN')) {
      const all = commandsOf(inst);
      for (let k = 0; k < all.length; k++) {
        const c = all[k]!;
        // `sh -c "$(curl …)"`: the download is inside a quoted argument of the interpreter.
        const quoted =
          SHELLS.has(program(c.words)) &&
          c.words.slice(1).find((w) => /(?:\$\(|`)\s*(?:curl|wget)\b/.test(w.value));
        if (quoted) {
          ctx.report({
            instruction: inst,
            range: at(c.position, program(c.words).length),
            message: `${program(c.words)} executes a downloaded script without verification`,
          });
          continue;
        }
        if (!DOWNLOADERS.has(program(c.words))) continue;
        // A later member of the same pipeline that is an interpreter…
        const sink = all.find(
          (o, idx) =>
            idx > k &&
            o.siblings === c.siblings &&
            o.command.pipeline === c.command.pipeline &&
            o.command.pipeIndex > c.command.pipeIndex &&
            SHELLS.has(program(o.words)),
        );
        // …or an interpreter whose command substitution / process substitution starts right before.
        const prev = all[k - 1];
        const wraps =
          prev !== undefined &&
          prev.siblings === c.siblings &&
          SHELLS.has(program(prev.words)) &&
          /(?:\$\(|<\()\s*$/.test(c.script.slice(prev.command.start, c.command.start));
        if (sink || wraps) {
          ctx.report({
            instruction: inst,
            range: at(c.position, program(c.words).length),
            message: `${program(c.words)} output is executed by ${sink ? program(sink.words) : program(prev!.words)} without verification`,
          });
        }
      }
    }
  },
};
