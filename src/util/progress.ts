/**
 * The one progress renderer: a single line on stderr, drawn only when stderr is a terminal (logs and CI
 * stay clean), throttled, cleared when done. The database commands and the image readers of the CLI
 * both draw through it.
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  /** Replace the current line (throttled). */
  update(text: string): void;
  /** Print a permanent line (e.g. a summary) and clear the progress line. */
  log(text: string): void;
  done(): void;
}

const NOOP: Progress = { update() {}, log() {}, done() {} };

export function humanBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function createProgress(
  stream: ProgressStream | undefined,
  enabled = stream?.isTTY === true,
): Progress {
  if (!stream || !enabled) return NOOP;
  let last = 0;
  let shown = false;
  const clear = (): void => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      stream.write(`\r\x1b[2K${text}`);
      shown = true;
    },
    log(text) {
      clear();
      stream.write(`${text}\n`);
    },
    done() {
      clear();
    },
  };
}

/** `label 45% (12.3 MB / 27.0 MB)`: progress over a byte count; a total of 0 means unknown. */
export function byteProgressText(label: string, done: number, total: number): string {
  if (total <= 0) return `${label} (${humanBytes(done)})`;
  const pct = Math.min(100, Math.floor((done / total) * 100));
  return `${label} ${pct}% (${humanBytes(done)} / ${humanBytes(total)})`;
}
