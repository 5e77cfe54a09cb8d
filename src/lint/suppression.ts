/**
 * Inline suppressions: `# bulwark-ignore: <rule-id>[,<rule-id>…] <reason>` on the line(s) directly above
 * an instruction. The reason is mandatory; a suppression without one does not apply and is reported.
 */
import type { Comment, Dockerfile, Instruction } from './dockerfile/types.js';

export interface Suppression {
  readonly line: number;
  readonly column: number;
  readonly ruleIds: readonly string[];
  readonly reason: string;
}

const PATTERN = /^bulwark-ignore\s*:\s*(\S*)\s*(.*)$/i;

export function parseSuppression(comment: Comment): Suppression | undefined {
  const m = PATTERN.exec(comment.text);
  if (!m) return undefined;
  return {
    line: comment.line,
    column: comment.column,
    ruleIds: m[1]!
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    reason: m[2]!.trim(),
  };
}

/** Suppressions keyed by the start line of the instruction they apply to. */
export function suppressionsByInstruction(file: Dockerfile): Map<number, Suppression[]> {
  const byLine = new Map<number, Comment>();
  for (const c of file.comments) byLine.set(c.line, c);
  const out = new Map<number, Suppression[]>();
  const addFor = (inst: Instruction): void => {
    const list: Suppression[] = [];
    // The contiguous block of comment lines right above the instruction.
    for (let line = inst.range.start.line - 1; byLine.has(line); line--) {
      const s = parseSuppression(byLine.get(line)!);
      if (s && s.reason && s.ruleIds.length) list.push(s);
    }
    if (list.length) out.set(inst.range.start.line, list);
  };
  for (const inst of file.instructions) addFor(inst);
  return out;
}
