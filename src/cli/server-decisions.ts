/**
 * `bulwark scan … --server URL`: fetch the register's decisions for the scanned image's repository
 * (GET /api/v1/projects/NAME/decisions) and apply them as ignore-style suppressions, each with its
 * reason — so a CI gate (`--fail-on`) and the register never disagree. Risk acceptances apply until
 * their expiry (then they are listed as expired, like an expired ignore entry); not-affected and
 * false-positive decisions apply until someone changes them in the register. Findings the register has
 * not seen yet are left alone, and local ignore rules or VEX statements that already suppress a finding
 * keep precedence. URL and token as for `--push` (./server-push.ts).
 */
import type { IgnoreRule } from '../policy/config.js';
import { applySuppressions } from '../policy/suppress.js';
import type { ScanReport } from '../report/types.js';
import { BulwarkError, UsageError } from '../util/errors.js';
import type { CliIO } from './io.js';
import { pushEndpoint } from './server-push.js';

class ServerDecisionsError extends BulwarkError {
  override readonly name = 'ServerDecisionsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('network', 'E_SERVER', message, options);
  }
}

/** One decision as the server sends it (src/server/decisions.ts). */
interface Decision {
  readonly finding: string;
  readonly vulnerabilityId: string;
  readonly package: string;
  readonly location: string;
  readonly state: string;
  readonly reason: string;
  readonly justification?: string;
  readonly acceptance?: { readonly id: string; readonly expiresAt: string; readonly reason: string };
}

interface DecisionsDocument {
  readonly schema: string;
  readonly project: string;
  readonly repository: string;
  readonly decisions: readonly Decision[];
}

/** A literal path as a glob that matches only itself. */
const literalGlob = (path: string): string => path.replace(/[\\*?[\]{}()!+@]/g, '\\$&');

/** The ignore rule a decision stands for. */
export function decisionRule(
  doc: Pick<DecisionsDocument, 'project' | 'repository'>,
  d: Decision,
): IgnoreRule {
  const reason =
    d.state === 'risk-accepted' && d.acceptance
      ? `risk accepted in the register until ${d.acceptance.expiresAt} (acceptance ${d.acceptance.id}): ${d.acceptance.reason}`
      : d.state === 'not-affected'
        ? `not affected${d.justification ? ` (${d.justification})` : ''}: ${d.reason}`
        : `false positive: ${d.reason}`;
  return {
    source: `register:${doc.project}/${doc.repository}#${d.finding}`,
    id: d.vulnerabilityId,
    package: d.package,
    ...(d.location ? { paths: [literalGlob(d.location)] } : {}),
    reason,
    ...(d.state === 'risk-accepted' && d.acceptance ? { expires: d.acceptance.expiresAt } : {}),
  };
}

function isDecisions(v: unknown): v is DecisionsDocument {
  const d = v as DecisionsDocument | undefined;
  return (
    typeof d === 'object' &&
    d !== null &&
    d.schema === 'bulwark-decisions/v1' &&
    Array.isArray(d.decisions) &&
    d.decisions.every(
      (x) =>
        typeof x.vulnerabilityId === 'string' &&
        typeof x.package === 'string' &&
        typeof x.location === 'string' &&
        typeof x.state === 'string' &&
        typeof x.reason === 'string',
    )
  );
}

/** Fetch the register's decisions for the report's image repository. */
export async function fetchDecisions(
  report: Pick<ScanReport, 'sbom'>,
  serverUrl: string,
  io: CliIO,
): Promise<DecisionsDocument> {
  const endpoint = pushEndpoint(serverUrl, report, 'decisions', '--server');
  const token = io.env.BULWARK_TOKEN?.trim();
  if (!token) throw new UsageError('--server needs an API token in BULWARK_TOKEN');
  let res: Response;
  try {
    res = await fetch(endpoint, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ServerDecisionsError(
      `--server: cannot reach ${endpoint.origin}: ${c?.code ?? c?.message ?? (err as Error).message}`,
      { cause: err },
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!res.ok)
    throw new ServerDecisionsError(
      `--server: ${endpoint.origin} answered ${res.status}: ${
        (body as { error?: { message?: string } } | undefined)?.error?.message ?? res.statusText
      }`,
    );
  if (!isDecisions(body))
    throw new ServerDecisionsError(
      `--server: ${endpoint.origin} did not answer with the register's decisions`,
    );
  return body;
}

/**
 * Apply decisions to a report: findings not suppressed yet that a decision covers become suppressed
 * (kind `config`, status `ignored`, source `register:PROJECT/REPOSITORY#FINDING`); decisions whose
 * acceptance has expired are reported among the expired suppressions.
 */
export function applyDecisions(report: ScanReport, doc: DecisionsDocument, now: Date = new Date()) {
  const rules = doc.decisions.map((d) => decisionRule(doc, d));
  const open = report.findings.filter((f) => !f.suppressed);
  const { findings: marked, expired } = applySuppressions(open, rules, [], now);
  const byFinding = new Map(open.map((f, i) => [f, marked[i]!]));
  const findings = report.findings.map((f) => byFinding.get(f) ?? f);
  const suppressed = marked.filter((f) => f.suppressed).length;
  return {
    report: {
      ...report,
      findings,
      expiredSuppressions: [...report.expiredSuppressions, ...expired].sort((a, b) =>
        a.source.localeCompare(b.source),
      ),
    } satisfies ScanReport,
    suppressed,
  };
}

/** `--server`: fetch and apply; one line on stderr says what the register decided (unless quiet). */
export async function applyServerDecisions(
  report: ScanReport,
  serverUrl: string,
  io: CliIO,
  quiet = false,
): Promise<ScanReport> {
  const doc = await fetchDecisions(report, serverUrl, io);
  const out = applyDecisions(report, doc);
  if (!quiet)
    io.stderr.write(
      `bulwark: register ${doc.project} (${doc.repository}): ${doc.decisions.length} decision${
        doc.decisions.length === 1 ? '' : 's'
      }, ${out.suppressed} finding${out.suppressed === 1 ? '' : 's'} suppressed by them\n`,
    );
  return out.report;
}
