/**
 * Typed errors. Every error a user can cause carries a one-line message and an exit-code category;
 * the CLI prints `bulwark: <message>` and exits with the category's code (see docs/exit-codes.md).
 */

/** Exit codes, documented in the README. Persisted/printed values are plain numbers by design. */
export const ExitCode = {
  ok: 0,
  /** A policy threshold was crossed (e.g. `--fail-on high`); overridable with `--exit-code`. */
  policy: 1,
  /** Bad command line: unknown flag, missing argument, invalid value. */
  usage: 2,
  /** The target or an input file could not be read: not found, corrupt, unsupported, hostile. */
  input: 3,
  /** The vulnerability database is missing, stale in offline mode, or could not be updated. */
  database: 4,
  /** A network operation (registry, database download) failed. */
  network: 5,
  /** A bug in Bulwark. */
  internal: 70,
} as const;

export type ErrorKind = Exclude<keyof typeof ExitCode, 'ok' | 'policy'>;

export class BulwarkError extends Error {
  override readonly name: string = 'BulwarkError';
  readonly kind: ErrorKind;
  /** Stable machine-readable code, e.g. `E_DIGEST_MISMATCH`. */
  readonly code: string;

  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.code = code;
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }
}

/** Bad command-line usage. */
export class UsageError extends BulwarkError {
  override readonly name = 'UsageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', 'E_USAGE', message, options);
  }
}

/** The target or an input could not be read or is not valid. */
export class InputError extends BulwarkError {
  override readonly name = 'InputError';
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super('input', code, message, options);
  }
}

/** Render any thrown value as one line (no stack). */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** Node system errors (ENOENT, EACCES, …) turned into a clear InputError naming the path. */
export function fsError(err: unknown, path: string): BulwarkError {
  if (err instanceof BulwarkError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new InputError('E_NOT_FOUND', `${path}: no such file or directory`, { cause: err });
    case 'EACCES':
    case 'EPERM':
      return new InputError('E_UNREADABLE', `${path}: permission denied`, { cause: err });
    case 'EISDIR':
      return new InputError('E_IS_DIRECTORY', `${path}: is a directory`, { cause: err });
    case 'ENOTDIR':
      return new InputError('E_NOT_DIRECTORY', `${path}: not a directory`, { cause: err });
    case 'ELOOP':
      return new InputError('E_SYMLINK_LOOP', `${path}: too many levels of symbolic links`, { cause: err });
    default:
      return new InputError('E_READ', `${path}: ${oneLine(err)}`, { cause: err });
  }
}

/**
 * The JavaScript engine ran out of a resource inside Bulwark's own code: stack depth (a spread or a
 * recursion over a huge input) or an allocation. That is a Bulwark bug or limit, never "a bad file":
 * it must not be reported as an unknown while the scan goes on and prints "0 packages".
 * (Node's own range errors carry a `code`, e.g. ERR_OUT_OF_RANGE from a truncated binary, and are
 * ordinary bad input.)
 */
export function isResourceExhaustion(err: unknown): boolean {
  return (
    err instanceof RangeError &&
    (err as NodeJS.ErrnoException).code === undefined &&
    /Maximum call stack size exceeded|Array buffer allocation failed|Invalid (typed )?array length/.test(
      err.message,
    )
  );
}

/** For catch blocks that turn errors into unknowns: let resource exhaustion through (exit 70). */
export function rethrowIfInternal(err: unknown): void {
  if (isResourceExhaustion(err)) throw err;
}
