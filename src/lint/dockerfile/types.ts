/**
 * The Dockerfile model produced by {@link parseDockerfile}: directives, instructions with exact source
 * ranges, heredocs, flags, key/value pairs, and build stages with ARG/ENV values resolved per stage.
 */

/** 1-based line and column (columns count UTF-16 code units, as editors and SARIF viewers do). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** `end` is exclusive in the column: it points just past the last character. */
export interface Range {
  readonly start: Position;
  readonly end: Position;
}

/** A `--name[=value]` flag of FROM, RUN, COPY, ADD or HEALTHCHECK. */
export interface Flag {
  readonly name: string;
  /** `undefined` for a bare flag such as `--link`. */
  readonly value: string | undefined;
  readonly range: Range;
}

/** A here-document attached to RUN/COPY/ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`). */
export interface Heredoc {
  readonly name: string;
  /** `<<-`: leading tabs are removed from the body and the terminator. */
  readonly stripTabs: boolean;
  /** A quoted delimiter turns off variable expansion in the body. */
  readonly quoted: boolean;
  /** The body, each line ending with `\n` (tabs already stripped for `<<-`). */
  readonly content: string;
  /** Line of the first body line (the line after the instruction when the body is empty). */
  readonly bodyStartLine: number;
  /** From the first body line to the end of the terminator line. */
  readonly range: Range;
  /** False when the file ended before the terminator. */
  readonly terminated: boolean;
}

/** One `key=value` of ENV/LABEL, or one `name[=default]` of ARG. */
export interface KeyValue {
  readonly key: string;
  /** Value after quote removal and variable expansion; `undefined` for `ARG NAME` without default. */
  readonly value: string | undefined;
  /** The value exactly as written (before expansion and quote removal). */
  readonly rawValue: string | undefined;
  readonly range: Range;
}

export type InstructionForm = 'exec' | 'shell';

export interface Instruction {
  /** Upper-cased keyword as written (`RUN`, `FROM`, or an unknown word such as `RUNN`). */
  readonly keyword: string;
  readonly known: boolean;
  /** From the keyword to the end of the last physical line, heredoc bodies included. */
  readonly range: Range;
  /** Logical line after the keyword: continuations joined, embedded comment lines removed. */
  readonly text: string;
  /** Offset in {@link text} where the arguments start (after the flags). */
  readonly argsOffset: number;
  /** `text` from {@link argsOffset}, trimmed of trailing whitespace. */
  readonly args: string;
  readonly flags: readonly Flag[];
  /** Exec (JSON array) form: the parsed array; `undefined` for shell form. */
  readonly json: readonly string[] | undefined;
  readonly form: InstructionForm;
  readonly heredocs: readonly Heredoc[];
  /** ENV/LABEL/ARG pairs; empty for other instructions. */
  readonly pairs: readonly KeyValue[];
  /**
   * {@link args} with the ARG/ENV values known at this point substituted (unknown variables are left
   * as written). Used by rules that look at image names, paths, users and ports.
   */
  readonly expanded: string;
  /** Index of the build stage (0-based); -1 for instructions before the first FROM. */
  readonly stage: number;
  /** For `ONBUILD <instr>`: the trigger instruction (its `stage` is the ONBUILD's stage). */
  readonly trigger?: Instruction;
  /** Map an offset in {@link text} to its position in the file. */
  positionAt(offset: number): Position;
}

export type DiagnosticCode =
  | 'unknown-instruction'
  | 'unterminated-heredoc'
  | 'unterminated-quote'
  | 'missing-arguments'
  | 'invalid-directive'
  | 'no-from';

/** A syntax problem found while parsing; never fatal. */
export interface ParseDiagnostic {
  readonly code: DiagnosticCode;
  readonly message: string;
  readonly range: Range;
}

export interface Comment {
  readonly line: number;
  readonly column: number;
  /** Text after `#`, trimmed. */
  readonly text: string;
}

export interface Stage {
  readonly index: number;
  /** `FROM … AS name` (lower-cased, as BuildKit matches stage names case-insensitively). */
  readonly name?: string;
  readonly from: Instruction;
  /** Image reference after ARG expansion, e.g. `node:20-alpine`, or a stage name. */
  readonly image: string;
  /** Index of the earlier stage this one builds on (`FROM builder`), if any. */
  readonly baseStage?: number;
  readonly platform?: string;
  /** Instructions of the stage after FROM, in order. */
  readonly instructions: readonly Instruction[];
  /** ENV/ARG variables in scope at the end of the stage (including those inherited from `baseStage`). */
  readonly variables: ReadonlyMap<string, string | undefined>;
  /** Names declared with ARG in this stage. */
  readonly args: ReadonlySet<string>;
}

export interface Directives {
  readonly syntax?: string;
  /** The escape character: `\` (default) or `` ` ``. */
  readonly escape: '\\' | '`';
  readonly check?: string;
}

export interface Dockerfile {
  readonly directives: Directives;
  /** Every instruction in file order (ARGs before the first FROM included). */
  readonly instructions: readonly Instruction[];
  readonly stages: readonly Stage[];
  /** Global ARGs (before the first FROM) with their defaults. */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly comments: readonly Comment[];
  readonly diagnostics: readonly ParseDiagnostic[];
  readonly lineCount: number;
}
