/**
 * HTTP for registries, on node:http/https rather than the global fetch: Node 20's fetch cannot take extra
 * CA certificates or skip verification per host without the undici package, and node:http hands out the
 * body as a Readable that is piped straight into the layer reader. One keep-alive agent per scheme bounds
 * the sockets per host (the concurrency bound); every request has a connect and an idle timeout.
 *
 * Redirects (blob storage, CDNs) are followed by hand so that the Authorization header is dropped as soon
 * as a redirect leaves the registry's origin. 429 and 5xx answers are retried with exponential backoff,
 * honouring Retry-After. Error messages name the host only: redirect URLs carry signed query strings.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls, { rootCertificates } from 'node:tls';
import { BulwarkError, InputError, oneLine } from '../../util/errors.js';
import { proxyAuthorization, proxyFor, redactProxy } from '../../util/proxy.js';

export interface TransportOptions {
  /** Extra trusted CA certificates (PEM text), added to Node's and the system's. */
  readonly caCerts?: readonly string[];
  /** Hosts (`host` or `host:port`) reached over plain HTTP or unverified TLS, besides loopback. */
  readonly insecureRegistries?: readonly string[];
  /** Time allowed to open a connection (default 15 s). */
  readonly connectTimeoutMs?: number;
  /** Longest silence while waiting for or reading an answer (default 60 s). */
  readonly readTimeoutMs?: number;
  /**
   * Longest time one request may take from sending it to the last byte of its body, however steadily
   * bytes arrive (default 30 min): a registry trickling a byte every few seconds never trips the idle
   * timeout, this ends it. Not retried.
   */
  readonly deadlineMs?: number;
  /** Retries after 429/5xx/connection resets (default 4). */
  readonly retries?: number;
  /** First backoff delay, doubled on each retry (default 500 ms). */
  readonly backoffMs?: number;
  /** Longest Retry-After honoured; a longer one fails at once (default 60 s). */
  readonly maxRetryAfterMs?: number;
  /** Concurrent connections per host (default 4). */
  readonly maxSockets?: number;
  /** Environment for SSL_CERT_FILE and HTTPS_PROXY/HTTP_PROXY/NO_PROXY (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * When set, the only hosts (`host` or `host:port`) any request may go to — the registry, its token
   * service, redirects to blob storage alike; anything else fails before a connection is made (a
   * server-side scan must not be steered into the internal network).
   */
  readonly allowedHosts?: readonly string[];
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  readonly url: URL;
  readonly body: IncomingMessage;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'HEAD' | 'POST';
  readonly headers?: Record<string, string>;
  /** The Authorization value; sent only to the origin of the first URL. */
  readonly authorization?: string;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** Default of {@link TransportOptions.deadlineMs}: 30 minutes per request, body included. */
export const DEFAULT_DEADLINE_MS = 30 * 60_000;

/** Registry and network failures: exit code 5. */
export function networkError(code: string, message: string, cause?: unknown): BulwarkError {
  return new BulwarkError('network', code, message, cause === undefined ? undefined : { cause });
}

const SYSTEM_CA_BUNDLES = [
  '/etc/ssl/certs/ca-certificates.crt',
  '/etc/pki/tls/certs/ca-bundle.crt',
  '/etc/ssl/cert.pem',
];

function systemCas(env: NodeJS.ProcessEnv): string[] {
  const files = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : SYSTEM_CA_BUNDLES;
  for (const f of files) {
    try {
      return [readFileSync(f, 'utf8')];
    } catch {
      // Not on this system: try the next usual location.
    }
  }
  return [];
}

/** Is `url`'s host on the list (`host` matches any port, `host:port` that port only)? */
export function hostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const name = url.hostname.toLowerCase();
  return allowed.some((a) => {
    const entry = a.toLowerCase();
    return (
      entry === host ||
      entry === name ||
      (url.port === '' && entry === `${name}:${url.protocol === 'https:' ? 443 : 80}`)
    );
  });
}

/** Loopback hosts are insecure by default, as in Docker: nobody can intercept them. */
export function isInsecureHost(registry: string, extra: readonly string[] = []): boolean {
  const bare = registry.replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^([^:]+):\d+$/, '$1');
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4 && bare.startsWith('127.')) return true;
  return extra.some((h) => h === registry || h === bare);
}

const TLS_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** Turn a socket-level failure into one clear line. */
export function describeNetworkError(err: unknown, host: string): BulwarkError {
  if (err instanceof BulwarkError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return networkError('E_DNS', `cannot resolve registry host "${host}" (DNS lookup failed)`, err);
  }
  if (code === 'ECONNREFUSED')
    return networkError('E_CONNECT', `cannot connect to registry ${host}: connection refused`, err);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return networkError('E_CONNECT', `cannot reach registry ${host}: no route to host`, err);
  if (TLS_CERT_CODES.has(code)) {
    return networkError(
      'E_TLS',
      `TLS certificate of registry ${host} is not trusted (${code}); pass --ca-cert FILE, or --insecure-registry ${host} to skip verification`,
      err,
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return networkError('E_CONNECTION_RESET', `registry ${host} closed the connection`, err);
  return networkError('E_NETWORK', `registry ${host}: ${oneLine(err)}`, err);
}

function isRetryableSocketError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? (err as BulwarkError | undefined)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'E_CONNECTION_RESET';
}

/**
 * A body that broke off half way and is worth fetching again (the rest of it, with Range): a reset or
 * closed connection, or a connection that went silent (idle timeout). The total deadline is not: a
 * registry that slow would only be slow again.
 */
export function isRetryableTransferError(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === 'E_DEADLINE') return false;
    if (
      code === 'ECONNRESET' ||
      code === 'EPIPE' ||
      code === 'E_CONNECTION_RESET' ||
      code === 'ERR_STREAM_PREMATURE_CLOSE' ||
      code === 'E_TRUNCATED' ||
      code === 'E_TIMEOUT'
    )
      return true;
  }
  return false;
}

function isTlsHandshakeFailure(err: unknown): boolean {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? '';
  return (
    code === 'EPROTO' ||
    code.startsWith('ERR_SSL') ||
    code === 'ECONNRESET' ||
    /wrong version number|packet length too long/i.test(oneLine(cause))
  );
}

/** Milliseconds to wait per a Retry-After header (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

/** Read a whole (small) body, refusing more than `maxBytes`. */
export async function readBody(res: HttpResponse, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    throw new InputError('E_TOO_LARGE', `${what}: ${declared} bytes exceeds the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) {
        res.body.destroy();
        throw new InputError('E_TOO_LARGE', `${what}: more than ${maxBytes} bytes (limit)`);
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof BulwarkError) throw err;
    throw networkError('E_NETWORK', `${what}: download from ${res.url.host} failed (${oneLine(err)})`, err);
  }
  return Buffer.concat(chunks);
}

/** Drain and discard a body so the keep-alive socket can be reused. */
export function discard(res: HttpResponse): void {
  res.body.resume();
}

const PROXY_UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * HTTPS through a proxy: each connection is a CONNECT tunnel to the registry (`CONNECT host:port`),
 * with TLS (and its verification, as without a proxy) run inside it. Pooled and kept alive like the
 * direct agents; one agent per proxy and verification mode.
 */
class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: URL,
    options: https.AgentOptions,
    private readonly connectTimeoutMs: number,
  ) {
    super(options);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = callback ?? (() => undefined);
    const target = `${options.host ?? 'localhost'}:${options.port ?? 443}`;
    const auth = proxyAuthorization(this.proxy);
    const connect = http.request({
      host: this.proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(this.proxy.port || 80),
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...(auth ? { 'proxy-authorization': auth } : {}) },
      agent: false,
    });
    const shown = redactProxy(this.proxy.href);
    connect.setTimeout(this.connectTimeoutMs, () =>
      connect.destroy(
        networkError(
          'E_TIMEOUT',
          `proxy ${shown}: no tunnel to ${target} within ${Math.round(this.connectTimeoutMs / 1000)} s`,
        ),
      ),
    );
    connect.once('connect', (res, socket, head) => {
      connect.setTimeout(0);
      if (res.statusCode !== 200) {
        socket.destroy();
        done(
          networkError(
            'E_PROXY',
            `proxy ${shown} refused the tunnel to ${target} (HTTP ${res.statusCode ?? 0}${res.statusCode === 407 ? ': proxy authentication required' : ''})`,
          ),
          socket,
        );
        return;
      }
      if (head.length > 0) socket.unshift(head);
      done(null, tls.connect({ ...(options as tls.ConnectionOptions), socket }));
    });
    connect.once('error', (err) =>
      done(
        err instanceof BulwarkError
          ? err
          : networkError('E_PROXY', `cannot reach proxy ${shown} (${oneLine(err)})`, err),
        undefined as unknown as Duplex,
      ),
    );
    connect.end();
    return undefined;
  }
}

export class Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly unverifiedAgent: https.Agent;
  private readonly origins = new Map<string, Promise<string>>();
  /** Keep-alive agents towards proxies: plain-HTTP forwarding, and CONNECT tunnels per proxy. */
  private readonly proxyHttpAgent: http.Agent;
  private readonly tunnels = new Map<string, TunnelAgent>();
  private readonly agentOptions: { keepAlive: boolean; maxSockets: number; maxFreeSockets: number };
  private readonly ca: string[];
  private readonly env: NodeJS.ProcessEnv;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly deadlineMs: number;
  /** Retries after a failed attempt (also used to resume a body that broke off). */
  readonly retries: number;
  /** First backoff delay, doubled on each retry. */
  readonly backoffMs: number;

  constructor(private readonly options: TransportOptions = {}) {
    const common = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 4,
      maxFreeSockets: options.maxSockets ?? 4,
    };
    this.httpAgent = new http.Agent(common);
    this.proxyHttpAgent = new http.Agent(common);
    this.agentOptions = common;
    this.env = options.env ?? process.env;
    const extra = options.caCerts ?? [];
    const ca = [...rootCertificates, ...systemCas(this.env), ...extra];
    this.ca = ca;
    this.httpsAgent = new https.Agent({ ...common, ca });
    this.unverifiedAgent = new https.Agent({ ...common, rejectUnauthorized: false });
    this.connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    this.readTimeoutMs = options.readTimeoutMs ?? 60_000;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.retries = options.retries ?? 4;
    this.backoffMs = options.backoffMs ?? 500;
  }

  isInsecure(registry: string): boolean {
    return isInsecureHost(registry, this.options.insecureRegistries);
  }

  /**
   * `https://host` or, for insecure hosts whose TLS handshake fails, `http://host` (Docker tries TLS
   * first for them too). Decided once per host with a request to `/v2/`.
   */
  origin(registry: string, signal?: AbortSignal): Promise<string> {
    let known = this.origins.get(registry);
    if (!known) {
      known = this.pickOrigin(registry, signal);
      this.origins.set(registry, known);
      known.catch(() => this.origins.delete(registry));
    }
    return known;
  }

  private async pickOrigin(registry: string, signal?: AbortSignal): Promise<string> {
    if (!this.isInsecure(registry)) return `https://${registry}`;
    try {
      const res = await this.send(
        new URL(`https://${registry}/v2/`),
        { ...(signal ? { signal } : {}) },
        registry,
      );
      discard(res);
      return `https://${registry}`;
    } catch (err) {
      if (isTlsHandshakeFailure(err)) return `http://${registry}`;
      throw describeNetworkError(err, registry);
    }
  }

  /** One request with redirects and retries. The caller consumes or discards the body. */
  async request(url: URL, options: RequestOptions, host: string): Promise<HttpResponse> {
    const retries = this.retries;
    const backoff = this.backoffMs;
    const maxWait = this.options.maxRetryAfterMs ?? 60_000;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await this.follow(url, options, host);
      } catch (err) {
        if (attempt < retries && isRetryableSocketError(err)) {
          await sleep(backoff * 2 ** attempt, options.signal);
          continue;
        }
        throw describeNetworkError(err, host);
      }
      if (!RETRY_STATUS.has(res.status) || attempt >= retries) return res;
      const wait = retryAfterMs(res.headers['retry-after']) ?? backoff * 2 ** attempt;
      discard(res);
      if (wait > maxWait) {
        throw networkError(
          'E_RATE_LIMITED',
          `registry ${host} asks to retry after ${Math.ceil(wait / 1000)} s (HTTP ${res.status}); try again later`,
        );
      }
      await sleep(wait, options.signal);
    }
  }

  private async follow(start: URL, options: RequestOptions, host: string): Promise<HttpResponse> {
    let url = start;
    let authorization = options.authorization;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      // Replace (never merge) the caller's header: after a cross-origin hop it must be gone.
      const res = await this.send(url, { ...options, authorization }, host);
      if (!REDIRECT_STATUS.has(res.status) || !res.headers.location) return res;
      discard(res);
      const next = new URL(res.headers.location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw networkError(
          'E_BAD_REDIRECT',
          `registry ${host} redirected to an unsupported URL scheme "${next.protocol}"`,
        );
      }
      // The registry's credentials are for the registry only: never hand them to blob storage.
      if (next.origin !== url.origin) authorization = undefined;
      url = next;
    }
    throw networkError('E_TOO_MANY_REDIRECTS', `registry ${host}: more than ${MAX_REDIRECTS} redirects`);
  }

  private tunnel(proxy: URL, verify: boolean): TunnelAgent {
    const key = `${proxy.href} ${verify}`;
    let agent = this.tunnels.get(key);
    if (!agent) {
      agent = new TunnelAgent(
        proxy,
        verify ? { ...this.agentOptions, ca: this.ca } : { ...this.agentOptions, rejectUnauthorized: false },
        this.connectTimeoutMs,
      );
      this.tunnels.set(key, agent);
    }
    return agent;
  }

  private send(
    url: URL,
    options: RequestOptions & { authorization?: string },
    host: string,
  ): Promise<HttpResponse> {
    const allowed = this.options.allowedHosts;
    if (allowed && !hostAllowed(url, allowed)) {
      return Promise.reject(
        networkError(
          'E_HOST_NOT_ALLOWED',
          `registry ${host}: refusing to contact ${url.host}, which is not on the allow-list`,
        ),
      );
    }
    const secure = url.protocol === 'https:';
    const registryHost = url.host;
    const verify = !this.isInsecure(registryHost);
    // HTTPS_PROXY / HTTP_PROXY / NO_PROXY, decided per URL: a redirect to blob storage may be proxied
    // differently from the registry itself.
    const proxy = proxyFor(url, this.env);
    const agent = secure
      ? proxy
        ? this.tunnel(proxy, verify)
        : verify
          ? this.httpsAgent
          : this.unverifiedAgent
      : proxy
        ? this.proxyHttpAgent
        : this.httpAgent;
    const headers: Record<string, string> = { 'user-agent': 'bulwark', ...options.headers };
    if (options.authorization) headers.authorization = options.authorization;
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const common = {
      method: options.method ?? 'GET',
      headers,
      agent,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    return new Promise<HttpResponse>((resolve, reject) => {
      let req: http.ClientRequest;
      if (proxy && !secure) {
        // Plain HTTP through a forward proxy: the absolute URL as the request target.
        const auth = proxyAuthorization(proxy);
        req = http.request({
          ...common,
          host: proxy.hostname.replace(/^\[|\]$/g, ''),
          port: Number(proxy.port || 80),
          path: url.href,
          headers: { ...headers, host: url.host, ...(auth ? { 'proxy-authorization': auth } : {}) },
        });
      } else req = (secure ? https : http).request(url, common);
      let connectTimer: NodeJS.Timeout | undefined;
      let response: IncomingMessage | undefined;
      const deadline = setTimeout(
        () =>
          fail(
            networkError(
              'E_DEADLINE',
              `registry ${host}: request not finished after ${Math.round(this.deadlineMs / 1000)} s (the registry is too slow; --registry-deadline sets the limit)`,
            ),
          ),
        this.deadlineMs,
      );
      // The socket keeps the process alive while the request runs; the deadline itself must not.
      deadline.unref();
      const fail = (err: Error): void => {
        clearTimeout(connectTimer);
        clearTimeout(deadline);
        // Once the answer started, its body stream carries the error to whoever is reading it.
        response?.destroy(err);
        req.destroy(err);
      };
      req.on('socket', (socket) => {
        if (!socket.connecting) return;
        connectTimer = setTimeout(
          () =>
            fail(
              networkError(
                'E_TIMEOUT',
                `registry ${host}: could not connect within ${Math.round(this.connectTimeoutMs / 1000)} s`,
              ),
            ),
          this.connectTimeoutMs,
        );
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      // Idle timeout for the whole exchange, body included: a stalled registry fails instead of hanging.
      req.setTimeout(this.readTimeoutMs, () =>
        fail(
          networkError(
            'E_TIMEOUT',
            `registry ${host} stopped answering (no data for ${Math.round(this.readTimeoutMs / 1000)} s)`,
          ),
        ),
      );
      req.on('error', (err) => {
        clearTimeout(connectTimer);
        clearTimeout(deadline);
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (proxy && !secure && !response && PROXY_UNREACHABLE.has(code)) {
          reject(networkError('E_PROXY', `cannot reach proxy ${redactProxy(proxy.href)} (${code})`, err));
          return;
        }
        reject(err);
      });
      req.on('response', (body) => {
        clearTimeout(connectTimer);
        response = body;
        // The deadline runs until the body is read to its end (or dropped).
        body.once('close', () => clearTimeout(deadline));
        resolve({ status: body.statusCode ?? 0, headers: body.headers, url, body });
      });
      req.end(options.body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.proxyHttpAgent.destroy();
    for (const agent of this.tunnels.values()) agent.destroy();
    this.unverifiedAgent.destroy();
  }
}
