/** Small queries over the parsed Dockerfile shared by several rules. */
import {
  effectiveWords,
  runScripts,
  tokenizeShell,
  type ShellCommand,
  type ShellWord,
} from '../dockerfile/shell.js';
import type { Dockerfile, Instruction, Position, Stage } from '../dockerfile/types.js';

/** Instructions with the given keyword, ONBUILD triggers included. */
export function* instructionsOf(file: Dockerfile, keyword: string): Generator<Instruction> {
  for (const inst of file.instructions) {
    if (inst.keyword === keyword) yield inst;
    else if (inst.trigger?.keyword === keyword) yield inst.trigger;
  }
}

export function finalStage(file: Dockerfile): Stage | undefined {
  return file.stages[file.stages.length - 1];
}

/** The final stage and the stages it is built on (`FROM builder AS final`): what ends up in the image. */
export function imageStages(file: Dockerfile): Stage[] {
  const out: Stage[] = [];
  let s = finalStage(file);
  for (let guard = 0; s && guard < file.stages.length; guard++) {
    out.push(s);
    s = s.baseStage !== undefined ? file.stages[s.baseStage] : undefined;
  }
  return out;
}

/** Parsed `--mount=type=…,target=…` flags of a RUN. */
export function mounts(inst: Instruction): Map<string, string>[] {
  return inst.flags
    .filter((f) => f.name === 'mount' && f.value !== undefined)
    .map((f) => {
      const m = new Map<string, string>();
      for (const part of f.value!.split(',')) {
        const eq = part.indexOf('=');
        if (eq < 0) m.set(part.trim().toLowerCase(), 'true');
        else m.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
      }
      return m;
    });
}

export const hasSecretMount = (inst: Instruction): boolean =>
  mounts(inst).some((m) => m.get('type') === 'secret');

/** True when a cache mount covers `dir` (so package caches never reach the layer). */
export function hasCacheMount(inst: Instruction, dir: RegExp): boolean {
  return mounts(inst).some(
    (m) =>
      m.get('type') === 'cache' && dir.test(m.get('target') ?? m.get('dst') ?? m.get('destination') ?? ''),
  );
}

/** A shell command of a RUN with the position of its first word. */
export interface LocatedCommand {
  readonly command: ShellCommand;
  /** Words after wrappers such as `sudo` / `env`. */
  readonly words: readonly ShellWord[];
  readonly position: Position;
  readonly positionOf: (offset: number) => Position;
  /** Every command of the same script (for "is there a cleanup later" questions). */
  readonly siblings: readonly ShellCommand[];
  /** The script the command offsets refer to. */
  readonly script: string;
}

const commandCache = new WeakMap<Instruction, readonly LocatedCommand[]>();

/**
 * Every simple command executed by a RUN instruction (shell form, heredoc scripts, `sh -c`).
 * Tokenized once per instruction and shared by all rules.
 */
export function commandsOf(inst: Instruction): readonly LocatedCommand[] {
  const cached = commandCache.get(inst);
  if (cached) return cached;
  const out: LocatedCommand[] = [];
  for (const script of runScripts(inst)) {
    const { commands } = tokenizeShell(script.text);
    for (const command of commands) {
      out.push({
        command,
        words: effectiveWords(command),
        position: script.position(command.start),
        positionOf: (o) => script.position(o),
        siblings: commands,
        script: script.text,
      });
    }
  }
  commandCache.set(inst, out);
  return out;
}

/** A one-line range at a position (for findings inside a RUN). */
export function at(position: Position, length = 1): { start: Position; end: Position } {
  return { start: position, end: { line: position.line, column: position.column + Math.max(1, length) } };
}

/** The first words that are not options (`apt-get -q install x` → `install`, `x`). */
export function operands(words: readonly ShellWord[], from = 1): ShellWord[] {
  return words.slice(from).filter((w) => !w.value.startsWith('-'));
}

export const word = (words: readonly ShellWord[], i: number): string => words[i]?.value ?? '';

/** Basename of the program of a command (`/usr/bin/apt-get` → `apt-get`). */
export const program = (words: readonly ShellWord[]): string => {
  const v = words[0]?.value ?? '';
  return v.slice(v.lastIndexOf('/') + 1);
};

/** True when a short-option cluster or long option is present: `-y`, `-qy`, `--yes`. */
export function hasOption(
  words: readonly ShellWord[],
  short: string | undefined,
  long: readonly string[],
): boolean {
  return words.some((w) => {
    const v = w.value;
    if (v.startsWith('--')) return long.some((l) => v === l || v.startsWith(`${l}=`));
    return short !== undefined && /^-[A-Za-z]+$/.test(v) && v.includes(short);
  });
}
