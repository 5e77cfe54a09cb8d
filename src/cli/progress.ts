/** The CLI's byte progress (reading an image), drawn by the shared renderer of ../util/progress.ts. */
import { byteProgressText, createProgress } from '../util/progress.js';
import type { CliIO } from './io.js';

export interface Progress {
  update(done: number, total: number): void;
  done(): void;
}

/** A progress line for `label` on stderr, only when stderr is a terminal and not --quiet. */
export function progress(io: CliIO, label: string, quiet: boolean): Progress {
  const line = createProgress(io.stderr, !quiet && io.stderr.isTTY === true);
  return {
    update(done, total) {
      line.update(byteProgressText(label, done, total));
    },
    done() {
      line.done();
    },
  };
}
