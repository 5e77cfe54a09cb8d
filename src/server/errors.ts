/**
 * API errors: every failure a client can cause is one JSON object `{ error: { code, message } }` with a
 * 4xx status; nothing else (no stack trace, no SQL) ever reaches the client.
 */
import { BulwarkError } from '../util/errors.js';

/** An error with an HTTP status, a stable code (`E_…`) and a one-line message for the client. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'E_BAD_REQUEST'): ApiError =>
  new ApiError(400, code, message);
export const unauthorized = (message = 'authentication required'): ApiError =>
  new ApiError(401, 'E_UNAUTHENTICATED', message);
export const forbidden = (message: string, code = 'E_FORBIDDEN'): ApiError =>
  new ApiError(403, code, message);
export const notFound = (what: string): ApiError => new ApiError(404, 'E_NOT_FOUND', `${what} not found`);
export const conflict = (message: string, code = 'E_CONFLICT'): ApiError => new ApiError(409, code, message);

/** A configuration or start-up problem of the server (bad config file, unreachable database). */
export class ServerConfigError extends BulwarkError {
  override readonly name = 'ServerConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('input', 'E_SERVER_CONFIG', message, options);
  }
}
