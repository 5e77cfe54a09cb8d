/**
 * Just enough of POSIX shell to lint RUN instructions: split a script into simple commands and
 * pipelines, remove quotes, skip comments, redirections, heredoc delimiters and leading variable
 * assignments. Not an interpreter: `$(…)`, backticks and subshells are flattened into sibling commands,
 * which is what pattern rules (sudo, curl | sh, apt-get install …) need. Linear time.
 */
import type { Instruction, Position } from './types.js';

export interface ShellWord {
  /** The word with quotes and escapes removed. */
  readonly value: string;
  /** Offset of the word's first character in the script. */
  readonly start: number;
}

export interface ShellCommand {
  /** Words after leading `NAME=value` assignments and shell keywords (`if`, `then`, `!`…). */
  readonly words: readonly ShellWord[];
  /** The leading `NAME=value` assignments. */
  readonly assignments: readonly ShellWord[];
  /** Offset of the command's first word. */
  readonly start: number;
  /** Commands joined by `|` share a pipeline number. */
  readonly pipeline: number;
  /** 0 for the first command of a pipeline, 1 for the one after the first `|`, … */
  readonly pipeIndex: number;
}

export interface TokenizedShell {
  readonly commands: readonly ShellCommand[];
  /** Offset of a quote that is never closed. */
  readonly unterminatedAt?: number;
}

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  '!',
  '{',
  '}',
  'time',
]);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Characters with a meaning in the tokenizer; anything else is copied in runs. */
const SPECIAL = new Set([
  ' ',
  '\t',
  '\r',
  '\n',
  '\\',
  "'",
  '"',
  '#',
  ';',
  '(',
  ')',
  '`',
  '&',
  '|',
  '$',
  '<',
  '>',
]);

export function tokenizeShell(text: string): TokenizedShell {
  const commands: ShellCommand[] = [];
  let unterminatedAt: number | undefined;
  let words: ShellWord[] = [];
  let pipeline = 0;
  let pipeIndex = 0;
  let word = '';
  let wordStart = -1;
  let skipNextWord = false; // after a redirection or heredoc operator

  const endWord = (): void => {
    if (wordStart >= 0) {
      if (skipNextWord) skipNextWord = false;
      else words.push({ value: word, start: wordStart });
    }
    word = '';
    wordStart = -1;
  };
  const endCommand = (pipe: boolean): void => {
    endWord();
    const assignments: ShellWord[] = [];
    let k = 0;
    for (; k < words.length; k++) {
      const w = words[k]!.value;
      if (KEYWORDS.has(w)) continue;
      if (ASSIGNMENT.test(w)) {
        assignments.push(words[k]!);
        continue;
      }
      break;
    }
    const rest = words.slice(k);
    if (rest.length || assignments.length) {
      commands.push({
        words: rest,
        assignments,
        start: (rest[0] ?? assignments[0])!.start,
        pipeline,
        pipeIndex,
      });
    }
    words = [];
    skipNextWord = false;
    if (pipe) {
      pipeIndex++;
    } else {
      pipeline++;
      pipeIndex = 0;
    }
  };
  const begin = (i: number): void => {
    if (wordStart < 0) wordStart = i;
  };

  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
        endWord();
        break;
      case '\n':
        endCommand(false);
        break;
      case '\\':
        if (text[i + 1] === '\n') {
          i++; // line continuation inside a heredoc script
        } else if (i + 1 < n) {
          begin(i);
          word += text[i + 1]!;
          i++;
        }
        break;
      case "'": {
        begin(i);
        const close = text.indexOf("'", i + 1);
        if (close < 0) {
          unterminatedAt ??= i;
          word += text.slice(i + 1);
          i = n;
        } else {
          word += text.slice(i + 1, close);
          i = close;
        }
        break;
      }
      case '"': {
        begin(i);
        let j = i + 1;
        for (; j < n && text[j] !== '"'; j++) {
          if (text[j] === '\\' && j + 1 < n && '"\\$`\n'.includes(text[j + 1]!)) {
            if (text[j + 1] !== '\n') word += text[j + 1]!;
            j++;
          } else {
            word += text[j]!;
          }
        }
        if (j >= n) unterminatedAt ??= i;
        i = j;
        break;
      }
      case '#':
        if (wordStart < 0) {
          const nl = text.indexOf('\n', i);
          i = (nl < 0 ? n : nl) - 1;
        } else {
          word += c;
        }
        break;
      case ';':
      case '(':
      case ')':
      case '`':
        endCommand(false);
        break;
      case '&':
        if (text[i + 1] === '>') {
          // &> file
          endWord();
          i++;
          if (text[i + 1] === '>') i++;
          skipNextWord = true;
        } else {
          if (text[i + 1] === '&') i++;
          endCommand(false);
        }
        break;
      case '|':
        if (text[i + 1] === '|') {
          i++;
          endCommand(false);
        } else {
          if (text[i + 1] === '&') i++;
          endCommand(true);
        }
        break;
      case '$':
        if (text[i + 1] === '(') {
          // command substitution: its commands are linted as siblings
          endCommand(false);
          i++;
        } else {
          begin(i);
          word += c;
        }
        break;
      case '<':
      case '>': {
        if (text[i + 1] === '(') {
          endCommand(false); // process substitution <(…)
          i++;
          break;
        }
        // `2>` / `2>&1`: the fd number is not an argument
        if (wordStart >= 0 && /^\d+$/.test(word)) {
          word = '';
          wordStart = -1;
        } else {
          endWord();
        }
        while (i + 1 < n && (text[i + 1] === '<' || text[i + 1] === '>' || text[i + 1] === '-')) i++;
        if (text[i + 1] === '&') {
          i++;
          // `>&2`: the target is a descriptor
          while (i + 1 < n && /[0-9-]/.test(text[i + 1]!)) i++;
        } else {
          skipNextWord = true;
        }
        break;
      }
      default: {
        begin(i);
        let j = i + 1;
        while (j < n && !SPECIAL.has(text[j]!)) j++;
        word += text.slice(i, j);
        i = j - 1;
      }
    }
  }
  endCommand(false);
  return unterminatedAt === undefined ? { commands } : { commands, unterminatedAt };
}

const WRAPPERS = new Set(['sudo', 'env', 'nice', 'nohup', 'exec', 'command', 'doas', 'stdbuf', 'timeout']);

/**
 * The command actually run: `sudo -u x apt-get install` → `apt-get install …`. Returns the words from
 * the real program name on.
 */
export function effectiveWords(cmd: ShellCommand): readonly ShellWord[] {
  let words = cmd.words;
  for (let guard = 0; guard < 4 && words.length; guard++) {
    const name = basename(words[0]!.value);
    if (!WRAPPERS.has(name)) break;
    let k = 1;
    while (k < words.length) {
      const w = words[k]!.value;
      if (ASSIGNMENT.test(w)) k++;
      else if (w.startsWith('-')) k += name === 'sudo' && (w === '-u' || w === '-g') ? 2 : 1;
      else if (name === 'timeout' && /^\d/.test(w)) k++;
      else break;
    }
    words = words.slice(k);
  }
  return words;
}

export const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** A piece of shell to analyse, with a way back to file positions. */
export interface RunScript {
  readonly text: string;
  position(offset: number): Position;
  /** True for a heredoc body that is the script itself (`RUN <<EOF`). */
  readonly heredoc: boolean;
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);

/**
 * The shell code a RUN instruction executes: its shell-form text, heredoc bodies that are fed to a
 * shell (`RUN <<EOF`, `RUN bash <<EOF`), or the `-c` argument of an exec-form shell call.
 */
export function runScripts(inst: Instruction): RunScript[] {
  const scripts: RunScript[] = [];
  if (inst.json) {
    const [prog, flag, code] = inst.json;
    if (prog && SHELLS.has(basename(prog)) && flag === '-c' && code !== undefined) {
      scripts.push({ text: code, position: () => inst.positionAt(inst.argsOffset), heredoc: false });
    } else {
      // exec form without a shell: still a command line for pattern rules
      scripts.push({
        text: inst.json.join(' '),
        position: () => inst.positionAt(inst.argsOffset),
        heredoc: false,
      });
    }
    return scripts;
  }
  scripts.push({ text: inst.args, position: (o) => inst.positionAt(inst.argsOffset + o), heredoc: false });
  if (inst.heredocs.length) {
    const first = tokenizeShell(inst.args).commands[0];
    const prog = first?.words[0]?.value;
    // `RUN <<EOF` (no program: the default shell runs the body) or `RUN bash <<EOF`.
    const bodyIsScript = prog === undefined || SHELLS.has(basename(prog));
    if (bodyIsScript) {
      for (const h of inst.heredocs) {
        scripts.push({
          text: h.content,
          position: (o) => offsetPosition(h.content, h.bodyStartLine, o),
          heredoc: true,
        });
      }
    }
  }
  return scripts;
}

function offsetPosition(content: string, firstLine: number, offset: number): Position {
  let line = firstLine;
  let lineStart = 0;
  for (let k = content.indexOf('\n'); k >= 0 && k < offset; k = content.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
