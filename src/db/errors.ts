/** Errors of the vulnerability database, mapped to the `database` and `network` exit codes. */
import { BulwarkError } from '../util/errors.js';

/** The database is missing, corrupt, locked, of another schema, or could not be built. */
export class DatabaseError extends BulwarkError {
  override readonly name = 'DatabaseError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('database', code, message, options);
  }
}

/** A download failed: HTTP error status, timeout, connection reset, or a body that is not what we asked for. */
export class NetworkError extends BulwarkError {
  override readonly name = 'NetworkError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('network', code, message, options);
  }
}
