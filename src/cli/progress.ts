/** A single-line progress indicator on stderr, only when stderr is a terminal and not --quiet. */
import type { CliIO } from './io.js';

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

const NOOP: Progress = { update() {}, done() {} };

function mb(n: number): string {
  return `${(n / 1e6).toFixed(1)} MB`;
}

export function progress(io: CliIO, label: string, quiet: boolean): Progress {
  if (quiet || !io.stderr.isTTY) return NOOP;
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      shown = true;
      const pct = total > 0 ? ` ${Math.min(100, Math.floor((done / total) * 100))}%` : '';
      io.stderr.write(`\r\x1b[K${label}${pct} (${mb(done)}${total > 0 ? ` / ${mb(total)}` : ''})`);
    },
    done() {
      if (shown) io.stderr.write('\r\x1b[K');
    },
  };
}
