import { at, commandsOf, program } from './helpers.js';
import type { Instruction } from '../dockerfile/types.js';
import type { ShellWord } from '../dockerfile/shell.js';
import type { LintRule } from '../types.js';

function setsPipefail(words: readonly ShellWord[]): boolean {
  if (program(words) !== 'set') return false;
  for (let k = 1; k < words.length; k++) {
    if (/^-[a-zA-Z]*o$/.test(words[k]!.value) && words[k + 1]?.value === 'pipefail') return true;
  }
  return false;
}

/** The stage's SHELL already enables pipefail, or is not a POSIX shell (pwsh, cmd). */
function shellHandlesPipes(shell: Instruction | undefined): boolean {
  const json = shell?.json;
  if (!json || json.length === 0) return false;
  if (/(?:pwsh|powershell|cmd)(?:\.exe)?$/i.test(json[0]!)) return true;
  return json.some((v, k) => /^-[a-zA-Z]*o$/.test(v) && json[k + 1] === 'pipefail');
}

export const pipeWithoutPipefail: LintRule = {
  id: 'pipe-without-pipefail',
  version: 1,
  title: 'Pipe in RUN without pipefail',
  category: 'hygiene',
  severity: 'low',
  rationale:
    'A RUN succeeds when the last command of a pipe succeeds: `curl … | tar x` passes even when the download failed, and the image is built broken.',
  fix: 'Start the RUN with `set -o pipefail &&` (bash/ash), or set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before it.',
  equivalents: { hadolint: ['DL4006'], trivy: ['DS032'] },
  check(ctx) {
    for (const stage of ctx.file.stages) {
      let shell: Instruction | undefined;
      for (const inst of stage.instructions) {
        if (inst.keyword === 'SHELL') shell = inst;
        if (inst.keyword !== 'RUN' || inst.json || shellHandlesPipes(shell)) continue;
        let pipefail = false;
        for (const c of commandsOf(inst)) {
          if (setsPipefail(c.words)) pipefail = true;
          if (!pipefail && c.command.pipeIndex === 1) {
            ctx.report({
              instruction: inst,
              range: at(c.position, 1),
              message: 'pipe in RUN without set -o pipefail: a failure before the last command is ignored',
            });
            break;
          }
        }
      }
    }
  },
};
