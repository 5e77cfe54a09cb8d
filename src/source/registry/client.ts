/**
 * The OCI Distribution API v2 for one repository, as a {@link BlobStore}: manifests (OCI, Docker schema 2,
 * indexes) fetched with the right Accept header, size-limited and digest-checked; blobs streamed.
 */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { BulwarkError, InputError, oneLine } from '../../util/errors.js';
import { verifyDigest, type BlobRef, type BlobStore } from '../image/blob-store.js';
import { MAX_MANIFEST_BYTES, MediaType } from '../image/oci.js';
import type { RegistryAuth } from './auth.js';
import { apiHost, formatReference, type ImageReference } from './reference.js';
import {
  discard,
  isRetryableTransferError,
  networkError,
  readBody,
  type HttpResponse,
  type Transport,
} from './transport.js';

/** Everything we can read, best first; schema 1 last so that it is recognised and refused clearly. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerList,
  MediaType.dockerManifest,
  `${MediaType.dockerSchema1Signed};q=0.1`,
  `${MediaType.dockerSchema1};q=0.1`,
].join(', ');

const MANIFEST_TYPES = new Set<string>([
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerList,
  MediaType.dockerManifest,
]);

/** Bytes of a layer read ahead of the layer reader, so the network keeps flowing while it parses. */
const READAHEAD_BYTES = 8 * 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `bytes START-END/TOTAL` of a 206 answer: its START, or undefined. */
function rangeStart(header: string | undefined): number | undefined {
  const m = /^\s*bytes\s+(\d+)-\d+\/(?:\d+|\*)\s*$/i.exec(header ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Write with back-pressure; rejects when the reader went away (destroyed the stream). */
function write(out: PassThrough, chunk: Buffer): Promise<void> | undefined {
  // A destroyed stream emits no further 'close': waiting on it would never end.
  if (out.destroyed) return Promise.reject(new Error('reader closed'));
  if (out.write(chunk)) return undefined;
  return new Promise((resolve, reject) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', gone);
      resolve();
    };
    const gone = (): void => {
      out.off('drain', done);
      out.off('close', gone);
      reject(new Error('reader closed'));
    };
    out.on('drain', done);
    out.on('close', gone);
  });
}

/** Tags asked for per page of the tags list. */
const TAGS_PAGE_SIZE = 1000;
/** Pages of the tags list followed at most. */
export const MAX_TAG_PAGES = 100;
/** Tags read at most. */
export const MAX_TAGS = 50_000;
const MAX_TAGS_PAGE_BYTES = 8 * 1024 * 1024;

/**
 * The query of the next tags-list page from a `Link` header (`</v2/name/tags/list?n=2&last=b>;
 * rel="next"`): only `n` and `last` are kept, so the next request stays on this repository's path.
 */
export function nextPageQuery(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m || !/\brel\s*=\s*"?next"?/i.test(m[2]!)) continue;
    let url: URL;
    try {
      url = new URL(m[1]!, 'http://registry.invalid');
    } catch {
      return undefined;
    }
    const out = new URLSearchParams();
    const n = url.searchParams.get('n');
    const last = url.searchParams.get('last');
    if (n && /^\d+$/.test(n)) out.set('n', n);
    if (last === null) return undefined;
    out.set('last', last);
    return out.toString();
  }
  return undefined;
}

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly digest: string;
  /** From Content-Type; the document's own mediaType field wins when present. */
  readonly mediaType?: string;
}

/** The first `errors[].code`/`message` of a registry error body, on one short line. */
async function errorDetail(res: HttpResponse): Promise<string> {
  try {
    const body = await readBody(res, 64 * 1024, 'error');
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    const e = doc.errors?.[0];
    if (!e) return '';
    const text = [e.code, e.message].filter((x) => typeof x === 'string' && x).join(': ');
    return oneLine(text).slice(0, 200);
  } catch {
    return '';
  }
}

export class RegistryClient implements BlobStore {
  readonly name: string;
  private readonly host: string;
  private readonly scope: string;

  constructor(
    readonly ref: ImageReference,
    private readonly transport: Transport,
    private readonly auth: RegistryAuth,
  ) {
    this.name = formatReference(ref);
    this.host = apiHost(ref.registry);
    this.scope = `repository:${ref.repository}:pull`;
  }

  /** GET a v2 path, answering one authentication challenge. Returns only 2xx answers. */
  private async get(
    path: string,
    headers: Record<string, string>,
    what: string,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    const origin = await this.transport.origin(this.host, signal);
    const url = new URL(`${origin}/v2/${this.ref.repository}/${path}`);
    for (let attempt = 0; ; attempt++) {
      const authorization = await this.auth.header(this.scope);
      const res = await this.transport.request(
        url,
        { headers, ...(authorization ? { authorization } : {}), ...(signal ? { signal } : {}) },
        this.ref.registry,
      );
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 401) {
        const challenge = res.headers['www-authenticate'];
        discard(res);
        if (attempt > 0) throw await this.auth.refused();
        await this.auth.challenged(challenge, this.scope, signal);
        continue;
      }
      throw await this.failure(res, what);
    }
  }

  private async failure(res: HttpResponse, what: string): Promise<BulwarkError> {
    const detail = await errorDetail(res);
    if (res.status === 404) {
      if (what === 'manifest') {
        const why = /NAME_UNKNOWN/.test(detail)
          ? ' (unknown repository)'
          : /MANIFEST_UNKNOWN/.test(detail)
            ? ' (unknown tag or digest)'
            : '';
        return new InputError('E_IMAGE_NOT_FOUND', `image not found: ${this.name}${why}`);
      }
      return new InputError(
        'E_MISSING_BLOB',
        `${what} is missing from registry ${this.ref.registry} (${this.ref.repository})`,
      );
    }
    if (res.status === 403) {
      const refused = await this.auth.refused();
      return networkError(
        refused.code === 'E_AUTH_REQUIRED' ? 'E_AUTH_REQUIRED' : 'E_ACCESS_DENIED',
        `access denied to ${this.ref.repository} (HTTP 403): ${refused.message}`,
      );
    }
    return networkError(
      'E_REGISTRY',
      `registry ${this.ref.registry} answered HTTP ${res.status} for ${what} of ${this.name}${detail ? ` (${detail})` : ''}`,
    );
  }

  /** Fetch a manifest or index by tag or digest; verifies the digest when one is known. */
  async manifest(reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.get(`manifests/${reference}`, { accept: MANIFEST_ACCEPT }, 'manifest', signal);
    const what = `${this.name}: manifest`;
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, what);
    const computed = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.includes(':')) verifyDigest(bytes, reference, what);
    const header = res.headers['docker-content-digest'];
    if (typeof header === 'string' && header.startsWith('sha256:') && header !== computed) {
      throw new InputError(
        'E_DIGEST_MISMATCH',
        `${what}: digest mismatch: registry says ${header}, content is ${computed}`,
      );
    }
    const contentType = res.headers['content-type']?.split(';')[0]?.trim();
    return {
      bytes,
      digest: reference.includes(':') ? reference : computed,
      ...(contentType ? { mediaType: contentType } : {}),
    };
  }

  /**
   * Every tag of the repository (OCI distribution `GET /v2/<name>/tags/list`), following the `Link:
   * <…>; rel="next"` pagination, sorted and without duplicates. At most {@link MAX_TAG_PAGES} pages
   * and {@link MAX_TAGS} tags are read (a registry that never stops paging is cut off, not followed).
   */
  async listTags(options: { signal?: AbortSignal; pageSize?: number } = {}): Promise<string[]> {
    const signal = options.signal;
    const tags = new Set<string>();
    let query = `n=${options.pageSize ?? TAGS_PAGE_SIZE}`;
    const seen = new Set<string>();
    for (let page = 0; page < MAX_TAG_PAGES && tags.size < MAX_TAGS; page++) {
      seen.add(query);
      const res = await this.get(`tags/list?${query}`, { accept: 'application/json' }, 'tags list', signal);
      const link = res.headers.link;
      const what = `${this.name}: tags list`;
      const body = await readBody(res, MAX_TAGS_PAGE_BYTES, what);
      let doc: { tags?: unknown };
      try {
        doc = JSON.parse(body.toString('utf8')) as { tags?: unknown };
      } catch {
        throw networkError('E_REGISTRY', `${what}: the registry answered with something that is not JSON`);
      }
      if (doc.tags !== null && doc.tags !== undefined && !Array.isArray(doc.tags))
        throw networkError('E_REGISTRY', `${what}: "tags" is not a list`);
      for (const t of (doc.tags ?? []) as unknown[])
        if (typeof t === 'string' && /^[\w][\w.-]{0,127}$/.test(t)) tags.add(t);
      const next = nextPageQuery(typeof link === 'string' ? link : undefined);
      if (next === undefined || seen.has(next)) break;
      query = next;
    }
    return [...tags].sort().slice(0, MAX_TAGS);
  }

  async readBlob(ref: BlobRef, maxBytes: number, what: string): Promise<Buffer> {
    if (ref.mediaType && MANIFEST_TYPES.has(ref.mediaType)) {
      const m = await this.manifest(ref.digest);
      if (m.bytes.length > maxBytes)
        throw new InputError(
          'E_TOO_LARGE',
          `${what}: ${m.bytes.length} bytes exceeds the ${maxBytes}-byte limit`,
        );
      return m.bytes;
    }
    // Small documents: a body that breaks off is simply fetched again from the start.
    for (let attempt = 0; ; attempt++) {
      const res = await this.get(`blobs/${ref.digest}`, {}, `blob ${ref.digest}`);
      let bytes: Buffer;
      try {
        bytes = await readBody(res, maxBytes, what);
      } catch (err) {
        if (attempt < this.transport.retries && isRetryableTransferError(err)) {
          await sleep(this.transport.backoffMs * 2 ** attempt);
          continue;
        }
        throw err;
      }
      verifyDigest(bytes, ref.digest, what);
      return bytes;
    }
  }

  /**
   * Stream a layer; the layer reader verifies its digest as it goes. A download that breaks off (reset,
   * closed or silent connection) is taken up again where it stopped, up to the transport's retries: with
   * `Range: bytes=N-` when the registry honours it (206, checked against Content-Range), else from the
   * start with the first N bytes dropped (200). Either way the reader sees one unbroken byte stream, so
   * the digest it is computing continues over exactly the bytes of the blob — and still has to match.
   */
  async openBlob(ref: BlobRef): Promise<Readable> {
    const res = await this.get(`blobs/${ref.digest}`, {}, `layer ${ref.digest}`);
    const out = new PassThrough({ highWaterMark: READAHEAD_BYTES });
    this.pump(res, out, ref).catch((err: unknown) =>
      out.destroy(
        err instanceof BulwarkError
          ? err
          : networkError(
              'E_NETWORK',
              `registry ${this.ref.registry}: download of layer ${ref.digest} failed (${oneLine(err)})`,
              err,
            ),
      ),
    );
    return out;
  }

  private async pump(first: HttpResponse, out: PassThrough, ref: BlobRef): Promise<void> {
    const declared = Number(first.headers['content-length']);
    const total = ref.size ?? (Number.isFinite(declared) ? declared : undefined);
    let res = first;
    let delivered = 0;
    for (let attempt = 0; ;) {
      // Bytes of this answer that the reader already has (a registry that ignored Range).
      let skip = 0;
      if (res !== first) {
        if (res.status === 206) {
          const start = rangeStart(res.headers['content-range']);
          if (start !== delivered) {
            discard(res);
            throw networkError(
              'E_REGISTRY',
              `registry ${this.ref.registry}: asked for layer ${ref.digest} from byte ${delivered}, got a range starting at ${start ?? 'an unreadable position'}`,
            );
          }
        } else skip = delivered;
      }
      try {
        for await (const piece of res.body as AsyncIterable<Buffer>) {
          let chunk = piece;
          if (skip > 0) {
            if (chunk.length <= skip) {
              skip -= chunk.length;
              continue;
            }
            chunk = chunk.subarray(skip);
            skip = 0;
          }
          delivered += chunk.length;
          await write(out, chunk);
        }
        if (total !== undefined && delivered < total)
          throw networkError(
            'E_TRUNCATED',
            `registry ${this.ref.registry}: layer ${ref.digest} ended after ${delivered} of ${total} bytes`,
          );
        out.end();
        return;
      } catch (err) {
        res.body.destroy();
        if (out.destroyed) return; // the reader stopped (a skipped layer, a failed scan): nothing to do
        if (attempt >= this.transport.retries || !isRetryableTransferError(err)) throw err;
      }
      await sleep(this.transport.backoffMs * 2 ** attempt);
      attempt++;
      if (out.destroyed) return;
      res = await this.get(`blobs/${ref.digest}`, { range: `bytes=${delivered}-` }, `layer ${ref.digest}`);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
