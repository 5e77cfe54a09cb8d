/**
 * `--catalogue-from URL`: use the approved catalogue a Bulwark server keeps (docs/server.md) instead of
 * the `approved:` section of `.bulwark.yaml`. URL is the server's address, `http(s)://HOST[:PORT][/PREFIX]`;
 * the API token comes from BULWARK_TOKEN. Entries are validated by the same parser as the file's.
 */
import { parseCatalogueEntry, type ApprovedCatalogue } from '../policy/approved/catalogue.js';
import { BulwarkError, UsageError } from '../util/errors.js';
import type { CliIO } from './io.js';

/** The catalogue endpoint of a server address (throws a UsageError for anything else). */
export function catalogueEndpoint(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new UsageError(
      `--catalogue-from: ${JSON.stringify(server)} is not a URL (expected http(s)://HOST[:PORT])`,
    );
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash)
    throw new UsageError(`--catalogue-from: expected http(s)://HOST[:PORT][/PREFIX], got ${server}`);
  if (url.username || url.password)
    throw new UsageError('--catalogue-from: put the token in BULWARK_TOKEN, not in the URL');
  return new URL(`${url.origin}${url.pathname.replace(/\/+$/, '')}/api/v1/catalogue`);
}

/** GET the server's catalogue. Unreachable server or an error answer: exit 5 with the server's message. */
export async function fetchServerCatalogue(server: string, io: CliIO): Promise<ApprovedCatalogue> {
  const endpoint = catalogueEndpoint(server);
  const token = io.env.BULWARK_TOKEN?.trim();
  if (!token) throw new UsageError('--catalogue-from needs an API token in BULWARK_TOKEN');
  let res: Response;
  try {
    res = await fetch(endpoint, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new BulwarkError(
      'network',
      'E_SERVER',
      `--catalogue-from: cannot reach ${endpoint.origin}: ${c?.code ?? c?.message ?? (err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const text = await res.text();
  let body: { items?: unknown; error?: { message?: string } } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not our server: the status says enough.
  }
  if (!res.ok || !Array.isArray(body.items))
    throw new BulwarkError(
      'network',
      'E_SERVER',
      `--catalogue-from: ${endpoint.origin} answered ${res.status}: ${body.error?.message ?? (res.ok ? 'not a catalogue' : res.statusText)}`,
    );
  return {
    entries: body.items.map((raw, i) => {
      const { id, createdBy: _by, createdAt: _at, ...entry } = raw as Record<string, unknown>;
      return parseCatalogueEntry(
        entry,
        `${endpoint.origin}: catalogue[${i}]`,
        `server:catalogue/${String(id ?? i)}`,
      );
    }),
  };
}
