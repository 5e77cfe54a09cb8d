/**
 * The register's decisions about the findings of one image repository, in the form `bulwark scan
 * --server` applies them: one entry per finding that someone decided should not fail a build — risk
 * accepted (with the acceptance and its expiry), not affected (with the VEX justification), or a false
 * positive — each with the reason given. Findings that are open or fixed are not decisions.
 */
import type { Store } from './store/connect.js';
import type { FindingsTable, ProjectsTable } from './store/schema.js';

export const DECISION_STATES: readonly FindingsTable['state'][] = [
  'risk-accepted',
  'not-affected',
  'false-positive',
];

export interface Decision {
  readonly finding: string;
  readonly vulnerabilityId: string;
  readonly aliases: readonly string[];
  /** The package's PURL without version and qualifiers (matches every version). */
  readonly package: string;
  /** The path of the package's metadata file ('' when the scan named none). */
  readonly location: string;
  readonly state: 'risk-accepted' | 'not-affected' | 'false-positive';
  readonly reason: string;
  readonly justification?: string;
  readonly acceptance?: { readonly id: string; readonly expiresAt: string; readonly reason: string };
  readonly decidedAt: string;
}

export interface DecisionsDocument {
  readonly schema: 'bulwark-decisions/v1';
  readonly project: string;
  readonly repository: string;
  readonly generatedAt: string;
  readonly decisions: readonly Decision[];
}

/** Every decision of `repository` in `project`, sorted by vulnerability, package, location. */
export async function decisionsFor(
  store: Store,
  project: ProjectsTable,
  repository: string,
  now: string,
): Promise<DecisionsDocument> {
  const rows = await store.db
    .selectFrom('findings')
    .selectAll()
    .where('project_id', '=', project.id)
    .where('repository', '=', repository)
    .where('state', 'in', DECISION_STATES)
    .orderBy('vulnerability_id')
    .orderBy('package_purl')
    .orderBy('location')
    .orderBy('id')
    .execute();
  const acceptanceIds = [...new Set(rows.map((r) => r.acceptance_id).filter((a): a is string => a !== null))];
  const acceptances = new Map(
    (acceptanceIds.length
      ? await store.db
          .selectFrom('risk_acceptances')
          .select(['id', 'expires_at', 'reason', 'status'])
          .where('id', 'in', acceptanceIds)
          .execute()
      : []
    ).map((a) => [a.id, a]),
  );
  const decisions: Decision[] = [];
  for (const f of rows) {
    const a = f.acceptance_id ? acceptances.get(f.acceptance_id) : undefined;
    // An accepted finding whose acceptance is no longer approved is about to reopen: not a decision.
    if (f.state === 'risk-accepted' && (!a || a.status !== 'approved' || a.expires_at <= now)) continue;
    decisions.push({
      finding: f.id,
      vulnerabilityId: f.vulnerability_id,
      aliases: (JSON.parse(f.aliases) as string[]).filter((x) => x !== f.vulnerability_id),
      package: f.package_purl,
      location: f.location,
      state: f.state as Decision['state'],
      reason: f.state_reason ?? a?.reason ?? '',
      ...(f.justification ? { justification: f.justification } : {}),
      ...(a ? { acceptance: { id: a.id, expiresAt: a.expires_at, reason: a.reason } } : {}),
      decidedAt: f.updated_at,
    });
  }
  return {
    schema: 'bulwark-decisions/v1',
    project: project.name,
    repository,
    generatedAt: now,
    decisions,
  };
}
