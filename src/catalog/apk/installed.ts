/**
 * The apk database `/lib/apk/db/installed`: one paragraph per package, each line a one-letter field
 * (`P:name`, `V:version`, …), paragraphs separated by blank lines. `F:` opens a folder and the `R:`
 * lines after it name the files in it.
 */

export interface ApkEntry {
  readonly name: string;
  readonly version: string;
  readonly arch?: string;
  readonly origin?: string;
  readonly license?: string;
  readonly commit?: string;
  readonly maintainer?: string;
  readonly description?: string;
  readonly url?: string;
  /** Unix seconds. */
  readonly buildTime?: number;
  /** Bytes of the .apk archive. */
  readonly size?: number;
  /** Bytes installed. */
  readonly installedSize?: number;
  readonly depends: string[];
  readonly provides: string[];
  /** Absolute paths, sorted. */
  readonly files: string[];
}

export interface InstalledParse {
  readonly entries: ApkEntry[];
  readonly problems: string[];
}

const LINE = /^([A-Za-z]):(.*)$/;

/** Parse the installed database; never throws. */
export function parseInstalled(text: string): InstalledParse {
  const entries: ApkEntry[] = [];
  const problems: string[] = [];
  const lines = text.split('\n');
  let start = 0;
  let fields = new Map<string, string>();
  let files: string[] = [];
  let folder = '';
  let error: string | undefined;
  let open = false;

  const flush = (): void => {
    if (open) {
      const entry = toEntry(fields, files);
      if (error) problems.push(`package at line ${start}: ${error}`);
      else if (typeof entry === 'string') problems.push(`package at line ${start}: ${entry}`);
      else entries.push(entry);
    }
    fields = new Map();
    files = [];
    folder = '';
    error = undefined;
    open = false;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (!open) {
      open = true;
      start = i + 1;
    }
    const m = LINE.exec(line);
    if (!m) {
      error ??= `line ${i + 1}: not a "X:value" line`;
      continue;
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'F') folder = value.replace(/^\/+|\/+$/g, '');
    else if (key === 'R') files.push(folder ? `/${folder}/${value}` : `/${value}`);
    // First occurrence wins: these fields appear once per package in a well-formed database.
    else if (!fields.has(key)) fields.set(key, value);
  }
  flush();
  return { entries, problems };
}

function toEntry(fields: Map<string, string>, files: string[]): ApkEntry | string {
  const name = fields.get('P')?.trim();
  const version = fields.get('V')?.trim();
  if (!name) return 'missing P: (name) field';
  if (!version) return 'missing V: (version) field';
  const opt = (k: string): string | undefined => {
    const v = fields.get(k)?.trim();
    return v ? v : undefined;
  };
  const num = (k: string): number | undefined => {
    const v = opt(k);
    return v !== undefined && /^\d{1,15}$/.test(v) ? Number(v) : undefined;
  };
  const list = (k: string): string[] => (opt(k) ?? '').split(/\s+/).filter((s) => s.length > 0);
  const entry: { -readonly [K in keyof ApkEntry]: ApkEntry[K] } = {
    name,
    version,
    depends: list('D'),
    provides: list('p'),
    files: [...new Set(files)].sort(),
  };
  const set = <K extends keyof ApkEntry>(key: K, value: ApkEntry[K] | undefined): void => {
    if (value !== undefined) entry[key] = value;
  };
  set('arch', opt('A'));
  set('origin', opt('o'));
  set('license', opt('L'));
  set('commit', opt('c'));
  set('maintainer', opt('m'));
  set('description', opt('T'));
  set('url', opt('U'));
  set('buildTime', num('t'));
  set('size', num('S'));
  set('installedSize', num('I'));
  return entry;
}
