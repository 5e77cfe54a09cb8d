/**
 * How the engine talks back to its caller. The engine never writes to stdout or stderr: a front end
 * (the CLI, a server) decides where notices, warnings and progress go.
 */
import type { ProgressStream } from '../util/progress.js';

export interface EngineEvents {
  /**
   * One-line warnings that do not stop the run (a failed database update with a usable database, a
   * file the secret scanner could not read). Without a sink they are dropped.
   */
  readonly onWarning?: (message: string) => void;
  /** Bytes of the target read so far, and the total when known (0 when not). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Where the automatic database refresh writes its own lines — notices, warnings (a stale database, a
   * failed update) and the download progress on a terminal. Without one they are dropped.
   */
  readonly updateOutput?: ProgressStream;
}
