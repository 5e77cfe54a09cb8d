/**
 * Reader for Debian control-file syntax (deb822): paragraphs of `Field: value` lines separated by
 * blank lines, with continuation lines starting with a space or tab. Used for the dpkg status
 * database and DEP-5 copyright files.
 */

export interface Paragraph {
  /** Field values keyed by lower-cased field name; continuation lines joined with `\n`. */
  readonly fields: Map<string, string>;
  /** 1-based line number of the paragraph's first line. */
  readonly line: number;
  /** Set when the paragraph holds a line that is neither a field nor a continuation. */
  readonly error?: string;
}

const FIELD = /^([!-9;-~][!-9;-~]*):(.*)$/;

/** Split text into paragraphs; never throws. Malformed paragraphs are returned with `error` set. */
export function parseDeb822(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let fields = new Map<string, string>();
  let start = 0;
  let error: string | undefined;
  let last: string | undefined;
  const flush = (): void => {
    if (fields.size > 0 || error) out.push(error ? { fields, line: start, error } : { fields, line: start });
    fields = new Map();
    error = undefined;
    last = undefined;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (fields.size === 0 && !error) start = i + 1;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last === undefined) {
        error ??= `line ${i + 1}: continuation line without a field`;
        continue;
      }
      fields.set(last, `${fields.get(last)}\n${line.trim()}`);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = FIELD.exec(line);
    if (!m) {
      error ??= `line ${i + 1}: not a "Field: value" line`;
      continue;
    }
    last = m[1]!.toLowerCase();
    fields.set(last, m[2]!.trim());
  }
  flush();
  return out;
}
