/**
 * A Dockerfile parser written for linting: it never throws on bad input, keeps exact line/column
 * ranges for every instruction, and runs in time linear in the file size.
 *
 * Syntax covered (following the BuildKit frontend's behaviour): parser directives (`# syntax=`,
 * `# escape=`, `# check=`), line continuations with the escape character, comment and blank lines
 * inside continuations, heredocs (`<<EOF`, `<<-EOF`, quoted delimiters, several per line) for RUN,
 * COPY and ADD, exec (JSON) and shell forms, `--flags`, ENV/LABEL/ARG pairs (including the legacy
 * `ENV key value` form), `ONBUILD <instruction>`, and build stages with ARG/ENV scoping.
 */
import { substitute, type Lookup } from './expand.js';
import type {
  Comment,
  Directives,
  Dockerfile,
  Flag,
  Heredoc,
  Instruction,
  KeyValue,
  ParseDiagnostic,
  Position,
  Range,
} from './types.js';
import { splitWords, unquote } from './words.js';

export const KNOWN_INSTRUCTIONS: ReadonlySet<string> = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const FLAG_INSTRUCTIONS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);
const EXEC_INSTRUCTIONS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

/** One physical piece of a logical line: where `text[offset]` sits in the file. */
interface Segment {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

interface RawInstruction {
  keyword: string;
  range: Range;
  text: string;
  segments: Segment[];
  heredocs: Heredoc[];
  /** Heredocs belong to the ONBUILD trigger, not to ONBUILD itself. */
  triggerHeredocs: boolean;
}

const isBlank = (s: string): boolean => /^\s*$/.test(s);
const isCommentLine = (s: string): boolean => /^\s*#/.test(s);

function positionIn(segments: readonly Segment[], offset: number): Position {
  // Binary search for the last segment starting at or before offset.
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (segments[mid]!.offset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const seg = segments[lo] ?? { offset: 0, line: 1, column: 1 };
  return { line: seg.line, column: seg.column + Math.max(0, offset - seg.offset) };
}

/** Parse a Dockerfile. Never throws; syntax problems are returned as {@link Dockerfile.diagnostics}. */
export function parseDockerfile(source: string): Dockerfile {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const lines = text.split(/\r?\n/);
  // A trailing newline does not start another line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const n = lines.length;
  const diagnostics: ParseDiagnostic[] = [];
  const comments: Comment[] = [];

  // --- directives: only at the very top, before any blank line, comment or instruction.
  let i = 0;
  const directiveValues: { syntax?: string; escape?: string; check?: string } = {};
  while (i < n) {
    const m = /^\s*#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/.exec(lines[i]!);
    if (!m) break;
    const name = m[1]!.toLowerCase();
    if (!KNOWN_DIRECTIVES.has(name) || name in directiveValues) break;
    const value = m[2]!;
    if (name === 'escape' && value !== '\\' && value !== '`') {
      diagnostics.push({
        code: 'invalid-directive',
        message: `invalid escape directive ${JSON.stringify(value)}: must be \\ or \``,
        range: lineRange(i + 1, lines[i]!),
      });
    } else {
      directiveValues[name as 'syntax' | 'escape' | 'check'] = value;
    }
    comments.push({
      line: i + 1,
      column: lines[i]!.indexOf('#') + 1,
      text: lines[i]!.trim().slice(1).trim(),
    });
    i++;
  }
  const escape = (directiveValues.escape ?? '\\') as '\\' | '`';
  const directives: Directives = {
    escape,
    ...(directiveValues.syntax !== undefined ? { syntax: directiveValues.syntax } : {}),
    ...(directiveValues.check !== undefined ? { check: directiveValues.check } : {}),
  };
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);

  // --- instructions
  const raws: RawInstruction[] = [];
  while (i < n) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    if (isCommentLine(line)) {
      const col = line.indexOf('#');
      comments.push({ line: i + 1, column: col + 1, text: line.slice(col + 1).trim() });
      i++;
      continue;
    }
    const startCol = line.search(/\S/);
    const kwMatch = /^\S+/.exec(line.slice(startCol))!;
    let keyword = kwMatch[0];
    let restStart = startCol + keyword.length;
    // `RUN\` (keyword glued to the continuation character)
    if (keyword.length > 1 && keyword.endsWith(escape) && continuation.test(line)) {
      keyword = keyword.slice(0, -1);
      restStart--;
    }
    while (restStart < line.length && (line[restStart] === ' ' || line[restStart] === '\t')) restStart++;

    let logical = '';
    const segments: Segment[] = [];
    let cur = line.slice(restStart);
    let curLine = i;
    let curCol = restStart + 1;
    let lastLine = i;
    for (;;) {
      const m = continuation.exec(cur);
      const content = m ? cur.slice(0, m.index) : cur;
      segments.push({ offset: logical.length, line: curLine + 1, column: curCol });
      logical += content;
      lastLine = curLine;
      if (!m) break;
      let j = curLine + 1;
      while (j < n && (isBlank(lines[j]!) || isCommentLine(lines[j]!))) j++;
      if (j >= n) break;
      cur = lines[j]!;
      curLine = j;
      curCol = 1;
    }
    i = lastLine + 1;
    const upper = keyword.toUpperCase();
    let endLine = lastLine + 1;
    let endColumn = lines[lastLine]!.length + 1;

    // Heredocs: the bodies follow the logical line, in the order the markers appear.
    const heredocs: Heredoc[] = [];
    let triggerHeredocs = false;
    let heredocHost = upper;
    let heredocText = logical;
    if (upper === 'ONBUILD') {
      const inner = /^\s*(\S+)/.exec(logical);
      heredocHost = inner ? inner[1]!.toUpperCase() : '';
      heredocText = inner ? logical.slice(inner[0].length) : '';
      triggerHeredocs = true;
    }
    if (HEREDOC_INSTRUCTIONS.has(heredocHost) && !/^\s*\[/.test(stripFlags(heredocText, escape))) {
      for (const marker of findHeredocMarkers(heredocText)) {
        const bodyStart = i;
        const body: string[] = [];
        let terminated = false;
        while (i < n) {
          const l = lines[i]!;
          const cmp = marker.stripTabs ? l.replace(/^\t+/, '') : l;
          i++;
          if (cmp === marker.name) {
            terminated = true;
            break;
          }
          body.push(cmp);
        }
        const bodyEndLine = i; // 1-based line of the terminator (or the last line)
        const heredoc: Heredoc = {
          name: marker.name,
          stripTabs: marker.stripTabs,
          quoted: marker.quoted,
          content: body.length ? `${body.join('\n')}\n` : '',
          bodyStartLine: bodyStart + 1,
          range: {
            start: { line: bodyStart + 1, column: 1 },
            end: {
              line: Math.max(bodyEndLine, bodyStart + 1),
              column: (lines[bodyEndLine - 1]?.length ?? 0) + 1,
            },
          },
          terminated,
        };
        heredocs.push(heredoc);
        if (!terminated) {
          diagnostics.push({
            code: 'unterminated-heredoc',
            message: `heredoc <<${marker.name} is never terminated (missing a line "${marker.name}")`,
            range: {
              start: positionIn(segments, 0),
              end: { line: n, column: (lines[n - 1]?.length ?? 0) + 1 },
            },
          });
        }
        if (i > bodyStart) {
          endLine = i;
          endColumn = (lines[i - 1]?.length ?? 0) + 1;
        }
      }
    }
    raws.push({
      keyword: upper,
      range: {
        start: { line: segments[0]!.line, column: startCol + 1 },
        end: { line: endLine, column: endColumn },
      },
      text: logical,
      segments,
      heredocs,
      triggerHeredocs,
    });
  }

  return buildModel(raws, directives, comments, diagnostics, n);
}

function lineRange(line: number, text: string): Range {
  return { start: { line, column: 1 }, end: { line, column: text.length + 1 } };
}

/** The text after any leading `--flag` words. */
function stripFlags(text: string, escape: string): string {
  if (!/^\s*--/.test(text)) return text;
  const { words } = splitWords(text, escape);
  let k = 0;
  while (k < words.length && words[k]!.raw.startsWith('--')) k++;
  return k < words.length ? text.slice(words[k]!.start) : '';
}

interface HeredocMarker {
  name: string;
  stripTabs: boolean;
  quoted: boolean;
}

/**
 * Find `<<NAME`, `<<-NAME`, `<<"NAME"`, `<<'NAME'` words (optionally after a file-descriptor number)
 * outside quotes. `<<<` (here-strings) and `<<` in the middle of a word (`$((1<<2))`) are not heredocs.
 */
export function findHeredocMarkers(text: string): HeredocMarker[] {
  const markers: HeredocMarker[] = [];
  let quote: string | undefined;
  let wordStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === ' ' || c === '\t' || c === ';' || c === '&' || c === '|') {
      wordStart = true;
      continue;
    }
    if (c === '\\') {
      i++;
      wordStart = false;
      continue;
    }
    if (wordStart && c >= '0' && c <= '9') continue; // fd number: 2<<EOF
    if (wordStart && c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      let j = i + 2;
      const stripTabs = text[j] === '-';
      if (stripTabs) j++;
      let name = '';
      let quoted = false;
      const q = text[j];
      if (q === '"' || q === "'") {
        const close = text.indexOf(q, j + 1);
        if (close > j + 1) {
          name = text.slice(j + 1, close);
          quoted = true;
          j = close + 1;
        }
      } else {
        const m = /^[A-Za-z0-9_.-]+/.exec(text.slice(j, j + 256));
        if (m) {
          name = m[0];
          j += name.length;
        }
      }
      if (name) {
        markers.push({ name, stripTabs, quoted });
        i = j - 1;
        wordStart = false;
        continue;
      }
    }
    if (c === '"' || c === "'") quote = c;
    wordStart = false;
  }
  return markers;
}

interface StageState {
  index: number;
  name?: string;
  from: Instruction;
  image: string;
  baseStage?: number;
  platform?: string;
  instructions: Instruction[];
  variables: Map<string, string | undefined>;
  args: Set<string>;
}

function buildModel(
  raws: RawInstruction[],
  directives: Directives,
  comments: Comment[],
  diagnostics: ParseDiagnostic[],
  lineCount: number,
): Dockerfile {
  const escape = directives.escape;
  const globalArgs = new Map<string, string | undefined>();
  const stages: StageState[] = [];
  const instructions: Instruction[] = [];
  let stage: StageState | undefined;

  const lookupIn =
    (vars: ReadonlyMap<string, string | undefined>): Lookup =>
    (name) =>
      vars.has(name) ? { value: vars.get(name) } : undefined;

  for (const raw of raws) {
    const known = KNOWN_INSTRUCTIONS.has(raw.keyword);
    if (!known) {
      diagnostics.push({
        code: 'unknown-instruction',
        message: `unknown instruction ${raw.keyword}`,
        range: raw.range,
      });
    }
    const isFrom = raw.keyword === 'FROM';
    // FROM sees only the global ARGs; everything else sees its stage's ARG/ENV scope.
    const vars = stage && !isFrom ? stage.variables : globalArgs;
    const base = makeInstruction({
      keyword: raw.keyword,
      known,
      range: raw.range,
      text: raw.text,
      segments: raw.segments,
      heredocs: raw.triggerHeredocs ? [] : raw.heredocs,
      escape,
      stageIndex: isFrom ? stages.length : stage ? stage.index : -1,
      lookup: lookupIn(vars),
      diagnostics,
    });
    let inst = base;
    if (raw.keyword === 'ONBUILD') {
      const m = /^\s*(\S+)\s*/.exec(raw.text);
      if (m) {
        const innerOffset = m[0].length;
        const innerKeyword = m[1]!.toUpperCase();
        const trigger = makeInstruction({
          keyword: innerKeyword,
          known: KNOWN_INSTRUCTIONS.has(innerKeyword),
          range: raw.range,
          text: raw.text.slice(innerOffset),
          segments: raw.segments.map((s) => ({ ...s })),
          segmentShift: innerOffset,
          heredocs: raw.heredocs,
          escape,
          stageIndex: stage ? stage.index : -1,
          // Triggers run in a downstream build: this file's variables do not apply.
          lookup: () => undefined,
          diagnostics,
        });
        inst = { ...base, trigger };
      }
    }
    if (known && raw.keyword !== 'ONBUILD' && inst.args === '' && inst.heredocs.length === 0) {
      diagnostics.push({
        code: 'missing-arguments',
        message: `${raw.keyword} requires at least one argument`,
        range: raw.range,
      });
    }

    if (raw.keyword === 'FROM') {
      const words = splitWords(inst.expanded, escape).words.map((w) => unquote(w.raw, escape));
      const image = words[0] ?? '';
      const asName =
        words.length >= 3 && words[1]!.toLowerCase() === 'as' ? words[2]!.toLowerCase() : undefined;
      const baseStage = stages.find((s) => s.name !== undefined && s.name === image.toLowerCase());
      const platform = inst.flags.find((f) => f.name === 'platform')?.value;
      const next: StageState = {
        index: stages.length,
        from: inst,
        image,
        instructions: [],
        variables: baseStage ? new Map(baseStage.variables) : new Map(),
        args: new Set(),
        ...(asName ? { name: asName } : {}),
        ...(baseStage ? { baseStage: baseStage.index } : {}),
        ...(platform !== undefined ? { platform } : {}),
      };
      stages.push(next);
      stage = next;
      instructions.push(next.from);
      continue;
    }
    instructions.push(inst);
    if (!stage) {
      if (raw.keyword === 'ARG') {
        for (const p of inst.pairs) globalArgs.set(p.key, p.value);
      } else if (known) {
        diagnostics.push({
          code: 'no-from',
          message: `${raw.keyword} before the first FROM (only ARG may come first)`,
          range: raw.range,
        });
      }
      continue;
    }
    stage.instructions.push(inst);
    if (raw.keyword === 'ARG') {
      for (const p of inst.pairs) {
        stage.args.add(p.key);
        // `ARG NAME` inside a stage re-imports the global default.
        stage.variables.set(p.key, p.rawValue !== undefined ? p.value : globalArgs.get(p.key));
      }
    } else if (raw.keyword === 'ENV') {
      for (const p of inst.pairs) stage.variables.set(p.key, p.value);
    }
  }
  if (stages.length === 0 && raws.length > 0) {
    diagnostics.push({
      code: 'no-from',
      message: 'no FROM instruction: this is not a buildable Dockerfile',
      range: raws[0]!.range,
    });
  }
  diagnostics.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.column - b.range.start.column,
  );
  return { directives, instructions, stages, globalArgs, comments, diagnostics, lineCount };
}

interface MakeInput {
  keyword: string;
  known: boolean;
  range: Range;
  text: string;
  segments: Segment[];
  /** The text starts this many characters into the segments' coordinates (ONBUILD triggers). */
  segmentShift?: number;
  heredocs: readonly Heredoc[];
  escape: string;
  stageIndex: number;
  lookup: Lookup;
  diagnostics: ParseDiagnostic[];
}

function makeInstruction(input: MakeInput): Instruction {
  const { keyword, text, escape, segments } = input;
  const shift = input.segmentShift ?? 0;
  const positionAt = (offset: number): Position => positionIn(segments, offset + shift);
  const span = (start: number, end: number): Range => ({ start: positionAt(start), end: positionAt(end) });

  const flags: Flag[] = [];
  let argsOffset = 0;
  if (FLAG_INSTRUCTIONS.has(keyword) && /^\s*--/.test(text)) {
    for (const w of splitWords(text, escape).words) {
      if (!w.raw.startsWith('--') || w.raw === '--') break;
      const eq = w.raw.indexOf('=');
      flags.push({
        name: (eq < 0 ? w.raw.slice(2) : w.raw.slice(2, eq)).toLowerCase(),
        value: eq < 0 ? undefined : unquote(w.raw.slice(eq + 1), escape),
        range: span(w.start, w.end),
      });
      argsOffset = w.end;
    }
  }
  if (argsOffset > 0) {
    while (argsOffset < text.length && /\s/.test(text[argsOffset]!)) argsOffset++;
  } else {
    argsOffset = text.length - text.trimStart().length;
  }
  const args = text.slice(argsOffset).trimEnd();

  let json: string[] | undefined;
  if (EXEC_INSTRUCTIONS.has(keyword) && args.startsWith('[')) {
    json = parseJsonArray(args);
  }
  if (keyword === 'HEALTHCHECK') {
    const m = /^CMD\s+(\[.*)$/is.exec(args);
    if (m) json = parseJsonArray(m[1]!);
  }

  const pairs: KeyValue[] = [];
  if (keyword === 'ENV' || keyword === 'LABEL' || keyword === 'ARG') {
    const words = splitWords(args, escape);
    if (words.unterminatedAt !== undefined) {
      input.diagnostics.push({
        code: 'unterminated-quote',
        message: `${keyword}: unterminated quote`,
        range: span(argsOffset + words.unterminatedAt, argsOffset + args.length),
      });
    }
    const ws = words.words;
    const legacy = keyword !== 'ARG' && ws.length > 0 && !ws[0]!.raw.includes('=');
    if (legacy) {
      // `ENV key value with spaces`: the rest of the line is the value.
      const first = ws[0]!;
      const rawValue = ws.length > 1 ? args.slice(ws[1]!.start) : '';
      pairs.push({
        key: unquote(first.raw, escape),
        value: unquote(substitute(rawValue, input.lookup, escape), escape),
        rawValue,
        range: span(argsOffset + first.start, argsOffset + args.length),
      });
    } else {
      for (const w of ws) {
        const eq = w.raw.indexOf('=');
        const key = unquote(eq < 0 ? w.raw : w.raw.slice(0, eq), escape);
        const rawValue = eq < 0 ? undefined : w.raw.slice(eq + 1);
        pairs.push({
          key,
          value:
            rawValue === undefined ? undefined : unquote(substitute(rawValue, input.lookup, escape), escape),
          rawValue,
          range: span(argsOffset + w.start, argsOffset + w.end),
        });
      }
    }
  }

  const expanded = input.known && keyword !== 'ONBUILD' ? substitute(args, input.lookup, escape) : args;
  return {
    keyword,
    known: input.known,
    range: input.range,
    text,
    argsOffset,
    args,
    flags,
    json,
    form: json ? 'exec' : 'shell',
    heredocs: input.heredocs,
    pairs,
    expanded,
    stage: input.stageIndex,
    positionAt,
  };
}

function parseJsonArray(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // Not valid JSON: Docker falls back to the shell form.
  }
  return undefined;
}
