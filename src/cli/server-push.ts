/**
 * `bulwark scan|sbom … --push URL`: send the finished scan report or SBOM to a Bulwark server's register
 * (docs/server.md). URL names the project: `http(s)://HOST[:PORT][/PREFIX]/projects/NAME`, with optional
 * query parameters `repository`, `tag`, `environment`, `digest` (the repository defaults to the image's
 * name). The API token comes from BULWARK_TOKEN. Kept apart from the scan command so the command only
 * calls {@link pushScanReport}.
 */
import type { ScanReport } from '../report/types.js';
import { scanReportToJson } from '../report/scan/json.js';
import { sbomToJson } from '../sbom/format/json.js';
import type { Sbom } from '../model/sbom.js';
import { BulwarkError, UsageError } from '../util/errors.js';
import type { CliIO } from './io.js';

class PushError extends BulwarkError {
  override readonly name = 'PushError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('network', 'E_PUSH', message, options);
  }
}

/** The API endpoint a `--push` URL stands for (throws a UsageError for anything else). */
export function pushEndpoint(
  pushUrl: string,
  report: Pick<ScanReport, 'sbom'>,
  kind: 'scans' | 'sboms' | 'decisions' = 'scans',
  flag = '--push',
): URL {
  let url: URL;
  try {
    url = new URL(pushUrl);
  } catch {
    throw new UsageError(
      `${flag}: ${JSON.stringify(pushUrl)} is not a URL (expected http(s)://HOST/projects/NAME)`,
    );
  }
  const m = /^(.*)\/projects\/([^/]+)\/?$/.exec(url.pathname);
  if (!/^https?:$/.test(url.protocol) || !m)
    throw new UsageError(
      `${flag}: expected http(s)://HOST[:PORT]/projects/NAME, got ${url.origin}${url.pathname}`,
    );
  if (url.username || url.password)
    throw new UsageError(`${flag}: put the token in BULWARK_TOKEN, not in the URL`);
  const endpoint = new URL(`${url.origin}${m[1]}/api/v1/projects/${m[2]}/${kind}`);
  for (const key of ['repository', 'tag', 'environment', 'digest']) {
    const v = url.searchParams.get(key);
    if (v) endpoint.searchParams.set(key, v);
  }
  if (!endpoint.searchParams.has('repository')) {
    const src = report.sbom.source;
    const tag = src.kind === 'image' ? src.image.repoTags[0] : undefined;
    const repo = tag?.replace(/:[^:/]+$/, '');
    if (!repo)
      throw new UsageError(`${flag}: name the image repository in the URL (?repository=registry/org/name)`);
    endpoint.searchParams.set('repository', repo);
  }
  return endpoint;
}

/** POST the report; prints one line with what changed in the register. Errors exit 5 with the server's message. */
export async function pushScanReport(report: ScanReport, pushUrl: string, io: CliIO): Promise<void> {
  if (Object.keys(report.filters).length > 0)
    throw new UsageError(
      '--push sends every finding to the register: drop the filters (--severity, --only-fixed, …)',
    );
  await post(pushEndpoint(pushUrl, report, 'scans'), JSON.stringify(scanReportToJson(report)), io);
}

/** `bulwark sbom … --push URL`: POST the SBOM; the server matches it with its own database. */
export async function pushSbom(sbom: Sbom, pushUrl: string, io: CliIO): Promise<void> {
  await post(pushEndpoint(pushUrl, { sbom }, 'sboms'), JSON.stringify(sbomToJson(sbom)), io);
}

async function post(endpoint: URL, payload: string, io: CliIO): Promise<void> {
  const token = io.env.BULWARK_TOKEN?.trim();
  if (!token) throw new UsageError('--push needs an API token in BULWARK_TOKEN');
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: payload,
      signal: AbortSignal.timeout(120_000),
    });
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (err as Error).message;
    throw new PushError(`--push: cannot reach ${endpoint.origin}: ${cause}`, { cause: err });
  }
  const text = await res.text();
  let body: {
    error?: { message?: string };
    new?: number;
    fixed?: number;
    reopened?: number;
    scanId?: string;
  } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // Not our server (a proxy's HTML page): the status says enough.
  }
  if (!res.ok)
    throw new PushError(
      `--push: ${endpoint.origin} answered ${res.status}: ${body.error?.message ?? res.statusText}`,
    );
  io.stderr.write(
    `bulwark: pushed to ${endpoint.pathname.replace(/^.*\/projects\/([^/]+)\/\w+$/, '$1')} ` +
      `(${endpoint.searchParams.get('repository')}): ${body.new ?? 0} new, ${body.fixed ?? 0} fixed, ` +
      `${body.reopened ?? 0} reopened (scan ${body.scanId ?? '?'})\n`,
  );
}
