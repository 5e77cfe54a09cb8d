/**
 * HTTP downloads for `bulwark db update` / `db import <URL>`: conditional requests (ETag /
 * Last-Modified), retries with exponential backoff on 429, 5xx and dropped connections (honouring
 * Retry-After), an inactivity timeout, a byte cap, and the body streamed to a file.
 */
import { open, rm } from 'node:fs/promises';
import type * as Undici from 'undici';
import { proxyAuthorization, proxyFor, redactProxy } from '../util/proxy.js';
import { BULWARK_VERSION } from '../util/tool-version.js';
import { NetworkError } from './errors.js';
import { lazyRequire } from '../util/lazy.js';

/** undici is only needed behind a proxy: loaded then, not on every start. */
const undici = lazyRequire<typeof Undici>('undici');

export interface DownloadOptions {
  /** Validators of the copy we already have; a 304 answer means "unchanged". */
  readonly etag?: string;
  readonly lastModified?: string;
  /** Abort an attempt when no byte arrives for this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 4). */
  readonly retries?: number;
  /** First backoff delay; doubles each retry (default 1 s). */
  readonly backoffMs?: number;
  /** Longest Retry-After we are willing to wait (default 120 s); longer → fail now. */
  readonly maxRetryAfterMs?: number;
  /** Refuse bodies larger than this (default 4 GiB). */
  readonly maxBytes?: number;
  /** Called as bytes arrive. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /** Called before sleeping for a retry (for a one-line notice). */
  readonly onRetry?: (reason: string, delayMs: number) => void;
  /** Environment for HTTPS_PROXY / HTTP_PROXY / NO_PROXY (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Node's own fetch ignores the proxy variables; through a proxy the request goes with undici's fetch and
 * a ProxyAgent (a CONNECT tunnel), decided per URL by the rules every Bulwark client shares
 * (src/util/proxy.ts).
 */
async function fetchVia(
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
  env: NodeJS.ProcessEnv,
): Promise<{ res: Response; close: () => void }> {
  const proxy = proxyFor(new URL(url), env);
  if (!proxy) return { res: await fetch(url, { ...init, redirect: 'follow' }), close: () => undefined };
  const token = proxyAuthorization(proxy);
  const dispatcher = new (undici().ProxyAgent)({
    uri: `${proxy.protocol}//${proxy.host}`,
    ...(token ? { token } : {}),
  });
  const close = (): void => void dispatcher.destroy().catch(() => undefined);
  try {
    const res = await undici().fetch(url, { ...init, redirect: 'follow', dispatcher });
    return { res: res as unknown as Response, close };
  } catch (err) {
    close();
    throw Object.assign(err as Error, { proxy: redactProxy(proxy.href) });
  }
}

export type DownloadResult =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'downloaded';
      readonly bytes: number;
      readonly etag?: string;
      readonly lastModified?: string;
      readonly contentType?: string;
    };

const RETRY_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Show a URL without credentials or query (a signed mirror URL must not end up in logs in full). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const auth = u.username || u.password ? '***@' : '';
    return `${u.protocol}//${auth}${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return url.length > 80 ? `${url.slice(0, 77)}...` : url;
  }
}

/** Parse Retry-After (seconds or an HTTP date) to milliseconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Download `url` to `dest` (overwritten). The file is removed again when the download fails. */
export async function download(
  url: string,
  dest: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new NetworkError('E_URL', `${url}: not a valid URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new NetworkError('E_URL', `${redactUrl(url)}: only http and https URLs are supported`);
  }
  const retries = options.retries ?? 4;
  const backoff = options.backoffMs ?? 1000;
  const maxRetryAfter = options.maxRetryAfterMs ?? 120_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptDownload(url, dest, options);
    } catch (err) {
      await rm(dest, { force: true });
      if (!(err instanceof RetryableError)) throw err;
      const shown = `${redactUrl(url)}: ${err.message}`;
      if (attempt >= retries) {
        throw new NetworkError('E_DOWNLOAD', `${shown} (gave up after ${attempt + 1} attempts)`, {
          cause: err,
        });
      }
      if (err.retryAfterMs !== undefined && err.retryAfterMs > maxRetryAfter) {
        throw new NetworkError(
          'E_RATE_LIMITED',
          `${shown}; the server asks to retry after ${Math.ceil(err.retryAfterMs / 1000)} s, try again later`,
        );
      }
      const delay = err.retryAfterMs ?? backoff * 2 ** attempt + Math.floor(Math.random() * backoff * 0.25);
      options.onRetry?.(shown, delay);
      await sleep(delay);
    }
  }
}

async function attemptDownload(url: string, dest: string, options: DownloadOptions): Promise<DownloadResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024 * 1024;
  const controller = new AbortController();
  let timedOut = false;
  let timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const touch = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
  };
  const headers: Record<string, string> = {
    'user-agent': `bulwark/${BULWARK_VERSION}`,
    'accept-encoding': 'identity',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  let closeDispatcher = (): void => undefined;
  try {
    let res: Response;
    try {
      const got = await fetchVia(url, { headers, signal: controller.signal }, options.env ?? process.env);
      res = got.res;
      closeDispatcher = got.close;
    } catch (err) {
      // A name that does not resolve will not resolve in 15 s either: on a machine without internet
      // (or DNS) backing off would only make every scan wait. Fail at once.
      const via = (err as { proxy?: string }).proxy;
      if (!timedOut && isDnsFailure(err)) {
        throw new NetworkError(
          'E_DNS',
          via
            ? `${redactUrl(url)}: cannot resolve the proxy ${via} (DNS lookup failed: ${causeText(err)})`
            : `${redactUrl(url)}: cannot resolve host "${parsed(url)}" (DNS lookup failed: ${causeText(err)})`,
          { cause: err },
        );
      }
      throw new RetryableError(
        timedOut
          ? `no response within ${timeoutMs / 1000} s`
          : `connection failed${via ? ` through proxy ${via}` : ''} (${causeText(err)})`,
      );
    }
    if (res.status === 304) {
      await res.body?.cancel();
      return { status: 'not-modified' };
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      const text = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
      if (RETRY_STATUS.has(res.status))
        throw new RetryableError(text, parseRetryAfter(res.headers.get('retry-after')));
      throw new NetworkError(`E_HTTP_${res.status}`, `${redactUrl(url)}: ${text}`);
    }
    const lengthHeader = res.headers.get('content-length');
    const total = lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (total !== undefined && total > maxBytes) {
      await res.body?.cancel();
      throw new NetworkError(
        'E_TOO_LARGE',
        `${redactUrl(url)}: ${total} bytes exceed the limit of ${maxBytes}`,
      );
    }
    const file = await open(dest, 'w');
    let received = 0;
    try {
      if (res.body) {
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            touch();
            received += chunk.length;
            if (received > maxBytes) {
              controller.abort();
              throw new NetworkError(
                'E_TOO_LARGE',
                `${redactUrl(url)}: body exceeds the limit of ${maxBytes} bytes`,
              );
            }
            await file.write(chunk);
            options.onProgress?.(received, total);
          }
        } catch (err) {
          if (err instanceof NetworkError) throw err;
          throw new RetryableError(
            timedOut
              ? `download stalled for ${timeoutMs / 1000} s`
              : `connection lost after ${received} bytes (${causeText(err)})`,
          );
        }
      }
    } finally {
      await file.close();
    }
    if (total !== undefined && received !== total) {
      throw new RetryableError(`truncated download: ${received} of ${total} bytes`);
    }
    const result: { -readonly [K in keyof Extract<DownloadResult, { status: 'downloaded' }>]?: unknown } = {
      status: 'downloaded',
      bytes: received,
    };
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    const contentType = res.headers.get('content-type');
    if (etag) result.etag = etag;
    if (lastModified) result.lastModified = lastModified;
    if (contentType) result.contentType = contentType;
    return result as DownloadResult;
  } finally {
    clearTimeout(timer);
    closeDispatcher();
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

/** fetch() failures whose cause (or the cause's cause) is a failed host-name lookup. */
export function isDnsFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DNS_CODES.has(code)) return true;
  }
  return false;
}

function parsed(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

function causeText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
