/** Package-manager invocations found in RUN instructions, shared by the hygiene rules. */
import type { Instruction } from '../dockerfile/types.js';
import type { ShellWord } from '../dockerfile/shell.js';
import { commandsOf, program, type LocatedCommand } from './helpers.js';

export type Manager = 'apt' | 'apk' | 'pip';

export interface PackageCommand {
  readonly manager: Manager;
  /** `install`, `add`, `update`, … */
  readonly sub: string;
  /** Words after the program (`python -m pip` → after `pip`). */
  readonly args: readonly ShellWord[];
  readonly located: LocatedCommand;
}

/** Options that consume the next word. */
const VALUE_OPTIONS: Readonly<Record<Manager, ReadonlySet<string>>> = {
  apt: new Set(['-o', '-t', '--target-release', '-c', '--config-file']),
  apk: new Set(['-X', '--repository', '-p', '--root', '-t', '--virtual', '--repositories-file', '--arch']),
  pip: new Set([
    '-r',
    '--requirement',
    '-c',
    '--constraint',
    '-e',
    '--editable',
    '-i',
    '--index-url',
    '--extra-index-url',
    '-f',
    '--find-links',
    '--target',
    '-t',
    '--prefix',
    '--root',
    '--trusted-host',
    '--platform',
    '--python-version',
    '--implementation',
    '--abi',
    '--src',
    '--progress-bar',
    '--log',
    '--timeout',
    '--retries',
    '--cache-dir',
  ]),
};

export function* packageCommands(inst: Instruction): Generator<PackageCommand> {
  for (const located of commandsOf(inst)) {
    const words = located.words;
    const prog = program(words);
    let manager: Manager | undefined;
    let rest: readonly ShellWord[] = [];
    if (prog === 'apt-get' || prog === 'apt') {
      manager = 'apt';
      rest = words.slice(1);
    } else if (prog === 'apk') {
      manager = 'apk';
      rest = words.slice(1);
    } else if (/^pip(?:\d+(?:\.\d+)?)?$/.test(prog)) {
      manager = 'pip';
      rest = words.slice(1);
    } else if (/^python(?:\d+(?:\.\d+)?)?$/.test(prog)) {
      const m = words.findIndex((w) => w.value === '-m');
      if (m > 0 && /^pip\d*$/.test(words[m + 1]?.value ?? '')) {
        manager = 'pip';
        rest = words.slice(m + 2);
      }
    }
    if (!manager) continue;
    const sub = positional(rest, manager)[0]?.value;
    if (sub === undefined) continue;
    yield { manager, sub, args: rest, located };
  }
}

/** Non-option words (skipping the values of options that take one). */
export function positional(words: readonly ShellWord[], manager: Manager): ShellWord[] {
  const out: ShellWord[] = [];
  const takesValue = VALUE_OPTIONS[manager];
  for (let k = 0; k < words.length; k++) {
    const v = words[k]!.value;
    if (v.startsWith('-')) {
      if (takesValue.has(v)) k++;
      continue;
    }
    out.push(words[k]!);
  }
  return out;
}

export const hasWord = (words: readonly ShellWord[], ...values: string[]): boolean =>
  words.some(
    (w) => values.includes(w.value) || values.some((v) => v.startsWith('--') && w.value.startsWith(`${v}=`)),
  );
