/** How register rows look in the API: camelCase, JSON columns decoded, flags as booleans. */
import type {
  AcceptanceStatus,
  ApiTokensTable,
  AuditLogTable,
  FindingsTable,
  ImagesTable,
  ProjectsTable,
  RiskAcceptancesTable,
  ScansTable,
  UsersTable,
} from './store/schema.js';

export const userView = (u: UsersTable) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  disabled: u.disabled === 1,
  createdAt: u.created_at,
});

export const projectView = (p: ProjectsTable) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  createdAt: p.created_at,
});

export const imageView = (i: ImagesTable) => ({
  id: i.id,
  repository: i.repository,
  tag: i.tag,
  environment: i.environment,
  digest: i.digest,
  createdAt: i.created_at,
  lastScanId: i.last_scan_id,
  lastScanAt: i.last_scan_at,
});

export const scanView = (s: Omit<ScansTable, 'sbom' | 'findings'>) => ({
  id: s.id,
  imageId: s.image_id,
  repository: s.repository,
  digest: s.digest,
  kind: s.kind,
  packages: s.package_count,
  findings: s.finding_count,
  bySeverity: JSON.parse(s.summary) as Record<string, number>,
  dbBuiltAt: s.db_built_at,
  createdBy: s.created_by,
  createdAt: s.created_at,
});

export const findingView = (f: FindingsTable, now: string) => ({
  id: f.id,
  repository: f.repository,
  vulnerabilityId: f.vulnerability_id,
  aliases: JSON.parse(f.aliases) as string[],
  package: {
    name: f.package_name,
    type: f.package_type,
    purl: f.package_purl,
    version: f.version,
    location: f.location,
  },
  severity: f.severity,
  cvssScore: f.cvss_score,
  fixedVersion: f.fixed_version,
  kev: f.kev === 1,
  epss: f.epss,
  summary: f.summary,
  state: f.state,
  stateReason: f.state_reason,
  justification: f.justification,
  plannedFixAt: f.planned_fix_at,
  acceptanceId: f.acceptance_id,
  slaDueAt: f.sla_due_at,
  overdue: isOverdue(f, now),
  firstSeenAt: f.first_seen_at,
  lastSeenAt: f.last_seen_at,
  lastScanId: f.last_scan_id,
  fixedAt: f.fixed_at,
});

const OPEN = new Set(['new', 'triaged', 'fix-planned', 'reopened']);

/** Open and past its SLA due date, or fix-planned and past the planned date. */
export function isOverdue(
  f: Pick<FindingsTable, 'state' | 'sla_due_at' | 'planned_fix_at'>,
  now: string,
): boolean {
  if (!OPEN.has(f.state)) return false;
  if (f.sla_due_at !== null && f.sla_due_at < now) return true;
  return f.state === 'fix-planned' && f.planned_fix_at !== null && f.planned_fix_at < now;
}

export const acceptanceView = (a: RiskAcceptancesTable, now: string) => ({
  id: a.id,
  scope: a.scope,
  projectId: a.project_id,
  repository: a.repository,
  imageId: a.image_id,
  vulnerabilityId: a.vulnerability_id,
  packagePattern: a.package_pattern,
  reason: a.reason,
  expiresAt: a.expires_at,
  // An approved acceptance past its expiry reads as expired even before the sweep records it.
  status: (a.status === 'approved' && a.expires_at <= now ? 'expired' : a.status) as AcceptanceStatus,
  requestedBy: a.requested_by,
  requestedAt: a.requested_at,
  decidedBy: a.decided_by,
  decidedAt: a.decided_at,
  decisionComment: a.decision_comment,
});

export const tokenView = (t: ApiTokensTable) => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  projects: t.projects === null ? null : (JSON.parse(t.projects) as string[]),
  createdAt: t.created_at,
  expiresAt: t.expires_at,
  lastUsedAt: t.last_used_at,
  revokedAt: t.revoked_at,
});

export const auditView = (r: AuditLogTable) => ({
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  actorId: r.actor_id,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  projectId: r.project_id,
  reason: r.reason,
  details: JSON.parse(r.details) as unknown,
  prevHash: r.prev_hash,
  hash: r.hash,
});
