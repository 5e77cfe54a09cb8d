/**
 * How the engine talks back to its caller. The engine never writes to stdout or stderr: a front end
 * (the CLI, a server) decides where notices, warnings and progress go.
 */
import type { ProgressStream } from '../db/progress.js';

export interface EngineEvents {
  /**
   * One-line warnings that do not stop the run (a failed database update with a usable database, a
   * file the secret scanner could not read). Without a sink they are dropped.
   */
  readonly onWarning?: (message: string) => void;
  /** One-line notes about slow steps about to start (downloading the vulnerability database). */
  readonly onNotice?: (message: string) => void;
  /** Bytes of the target read so far, and the total when known (0 when not). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Where a database download draws its progress line (a terminal stream); none when absent. */
  readonly updateProgress?: ProgressStream;
}
