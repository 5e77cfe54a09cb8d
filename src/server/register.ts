/**
 * The register's domain logic: ingesting scans into findings with a stable identity, the finding
 * lifecycle, risk acceptances with four-eyes approval, SLAs. Every change is written together with its
 * audit entries in one `store.write` transaction. Times are passed in (`now`) so tests can move the clock.
 */
import { purlMatches } from '../policy/purl-pattern.js';
import { appendAudit, SYSTEM_ACTOR, type Actor, type AuditEntry } from './audit.js';
import { randomId } from './auth.js';
import type { ServerConfig, SlaKey } from './config.js';
import { conflict, badRequest, forbidden, notFound } from './errors.js';
import { parseSbomText, recordScanSummary, type ScanDocument } from './dashboard/summary.js';
import { findingIdentity, versionlessPurl } from './identity.js';
import type { Store, Tx } from './store/connect.js';
import type { AcceptanceScope, FindingState, FindingsTable, RiskAcceptancesTable } from './store/schema.js';

/** One finding as it appears in a scan JSON report (`findings[]`, docs/scan-json.md); only what the register reads. */
export interface ReportFinding {
  readonly vulnerabilityId: string;
  readonly aliases?: readonly string[];
  readonly severity: string;
  readonly cvss?: { readonly score?: number } | undefined;
  readonly fixedVersion?: string | undefined;
  readonly kev?: object | undefined;
  readonly epss?: { readonly score?: number } | undefined;
  readonly summary?: string | undefined;
  readonly package: {
    readonly name: string;
    readonly version: string;
    readonly type: string;
    readonly purl: string;
    readonly locations?: readonly { readonly path: string }[];
  };
}

export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
  readonly environment: string;
  readonly digest?: string | undefined;
}

export interface IngestInput {
  readonly projectId: string;
  readonly image: ImageRef;
  readonly kind: 'scan-report' | 'sbom' | 'sarif' | 'registry-scan';
  /**
   * The findings this upload replaces, when narrower than the repository's package findings: a SARIF
   * upload (package type `sarif`) replaces only the findings of its own tool and category (their
   * `package_purl`). Without it, SARIF findings are left alone (an image scan does not fix them).
   */
  readonly scope?: { readonly packageType: string; readonly packagePurl: string };
  /** Bulwark SBOM JSON text. */
  readonly sbomJson: string;
  readonly packageCount: number;
  /** The report's findings (kept as they came, stored with the scan). */
  readonly findings: readonly ReportFinding[];
  readonly findingsJson: string;
  readonly dbBuiltAt?: string | undefined;
  /** The parsed document, for the dashboard's scan summary (default: `sbomJson` parsed again). */
  readonly document?: ScanDocument | undefined;
}

export interface IngestResult {
  readonly scanId: string;
  readonly imageId: string;
  readonly findings: number;
  readonly new: number;
  readonly reopened: number;
  readonly fixed: number;
  readonly unchanged: number;
  readonly accepted: number;
}

const DAY = 86_400_000;
const CHUNK = 200;

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * DAY).toISOString();
}

/** When a finding first seen at `firstSeen` must be fixed by: KEV findings have their own SLA. */
export function slaDue(config: ServerConfig, severity: string, kev: boolean, firstSeen: string): string {
  const key: SlaKey = kev ? 'kev' : ((severity in config.sla ? severity : 'unknown') as SlaKey);
  return addDays(firstSeen, config.sla[key]);
}

const SEVERITY_COUNT_KEYS = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

function severityCounts(findings: readonly ReportFinding[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(SEVERITY_COUNT_KEYS.map((k) => [k, 0]));
  for (const f of findings) out[f.severity in out ? f.severity : 'unknown']!++;
  return out;
}

/** Does an approved acceptance cover this finding? */
export function acceptanceCovers(
  a: Pick<
    RiskAcceptancesTable,
    'scope' | 'project_id' | 'repository' | 'image_id' | 'vulnerability_id' | 'package_pattern'
  >,
  f: Pick<
    FindingsTable,
    'project_id' | 'repository' | 'last_image_id' | 'vulnerability_id' | 'aliases' | 'package_purl'
  >,
): boolean {
  if (a.vulnerability_id !== null) {
    const ids = [f.vulnerability_id, ...(JSON.parse(f.aliases) as string[])];
    if (!ids.includes(a.vulnerability_id)) return false;
  }
  if (a.package_pattern !== null && !purlMatches(a.package_pattern, f.package_purl)) return false;
  switch (a.scope) {
    case 'image':
      return a.image_id === f.last_image_id;
    case 'repository':
      return a.project_id === f.project_id && a.repository === f.repository;
    case 'organisation':
      return true;
  }
}

async function activeAcceptances(tx: Tx, now: string): Promise<RiskAcceptancesTable[]> {
  return tx
    .selectFrom('risk_acceptances')
    .selectAll()
    .where('status', '=', 'approved')
    .where('expires_at', '>', now)
    .orderBy('decided_at')
    .orderBy('id')
    .execute();
}

/** Find or create the image row for a scan, and record the scan on it. */
async function upsertImage(tx: Tx, projectId: string, ref: ImageRef, now: string): Promise<string> {
  const existing = await tx
    .selectFrom('images')
    .select('id')
    .where('project_id', '=', projectId)
    .where('repository', '=', ref.repository)
    .where('tag', '=', ref.tag)
    .where('environment', '=', ref.environment)
    .executeTakeFirst();
  if (existing) return existing.id;
  const id = randomId();
  await tx
    .insertInto('images')
    .values({
      id,
      project_id: projectId,
      repository: ref.repository,
      tag: ref.tag,
      environment: ref.environment,
      digest: ref.digest ?? null,
      created_at: now,
      last_scan_id: null,
      last_scan_at: null,
    })
    .execute();
  return id;
}

/**
 * Store a scan and bring the register up to date: findings seen for the first time open as `new` (or
 * `risk-accepted` when an approved acceptance covers them), findings that were `fixed` and came back are
 * `reopened`, and open findings of the same image repository that this newer scan no longer has become
 * `fixed`. One audit entry per scan and per finding whose state changed.
 */
export async function ingest(
  store: Store,
  config: ServerConfig,
  actor: Actor,
  input: IngestInput,
  now: string,
): Promise<IngestResult> {
  return store.write(async (tx) => {
    const { projectId, image } = input;
    const imageId = await upsertImage(tx, projectId, image, now);
    const scanId = randomId();
    await tx
      .insertInto('scans')
      .values({
        id: scanId,
        project_id: projectId,
        image_id: imageId,
        repository: image.repository,
        digest: image.digest ?? null,
        kind: input.kind,
        sbom: input.sbomJson,
        findings: input.findingsJson,
        package_count: input.packageCount,
        finding_count: input.findings.length,
        summary: JSON.stringify(severityCounts(input.findings)),
        db_built_at: input.dbBuiltAt ?? null,
        created_by: actor.name,
        created_at: now,
      })
      .execute();
    await tx
      .updateTable('images')
      .set({ digest: image.digest ?? null, last_scan_id: scanId, last_scan_at: now })
      .where('id', '=', imageId)
      .execute();
    await recordScanSummary(
      tx,
      { scanId, projectId, imageId },
      input.kind,
      input.document ?? { sbom: parseSbomText(input.sbomJson), findings: input.findings },
    );

    let inScope = tx
      .selectFrom('findings')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('repository', '=', image.repository);
    inScope = input.scope
      ? inScope
          .where('package_type', '=', input.scope.packageType)
          .where('package_purl', '=', input.scope.packagePurl)
      : inScope.where('package_type', '!=', 'sarif');
    const existing = new Map((await inScope.execute()).map((f) => [f.identity, f]));
    const acceptances = await activeAcceptances(tx, now);
    const audit: AuditEntry[] = [];
    const inserts: FindingsTable[] = [];
    const inserted = new Set<string>();
    const seenIds = new Set<string>();
    const touchedIds: string[] = [];
    let reopened = 0;
    let accepted = 0;
    let unchanged = 0;

    for (const rf of input.findings) {
      const packagePurl = versionlessPurl(rf.package.purl);
      const location = rf.package.locations?.[0]?.path ?? '';
      const identity = findingIdentity({
        projectId,
        repository: image.repository,
        vulnerabilityId: rf.vulnerabilityId,
        packagePurl,
        location,
      });
      const kev = rf.kev ? 1 : 0;
      const fields = {
        aliases: JSON.stringify([...new Set(rf.aliases ?? [])].sort()),
        version: rf.package.version,
        severity: rf.severity,
        cvss_score: rf.cvss?.score ?? null,
        fixed_version: rf.fixedVersion ?? null,
        kev,
        epss: rf.epss?.score ?? null,
        summary: rf.summary ?? null,
        last_seen_at: now,
        last_scan_id: scanId,
        last_image_id: imageId,
        updated_at: now,
      };
      const old = existing.get(identity);
      if (old) {
        if (seenIds.has(old.id)) continue;
        seenIds.add(old.id);
        touchedIds.push(old.id);
        const merged = { ...old, ...fields };
        if (old.state === 'fixed') {
          const cover = acceptances.find((a) => acceptanceCovers(a, merged));
          const state: FindingState = cover ? 'risk-accepted' : 'reopened';
          await tx
            .updateTable('findings')
            .set({
              ...fields,
              state,
              state_reason: cover ? `covered by risk acceptance ${cover.id}` : 'seen again by a newer scan',
              acceptance_id: cover?.id ?? null,
              fixed_at: null,
              sla_due_at: slaDue(config, rf.severity, kev === 1, old.first_seen_at),
            })
            .where('id', '=', old.id)
            .execute();
          reopened++;
          audit.push({
            action: 'finding.reopened',
            entityType: 'finding',
            entityId: old.id,
            projectId,
            reason: 'seen again by a newer scan',
            details: { from: 'fixed', to: state, scan: scanId, ...(cover ? { acceptance: cover.id } : {}) },
          });
        } else if (
          old.version !== fields.version ||
          old.severity !== fields.severity ||
          old.fixed_version !== fields.fixed_version ||
          old.kev !== kev ||
          old.aliases !== fields.aliases ||
          old.epss !== fields.epss ||
          old.cvss_score !== fields.cvss_score
        ) {
          await tx
            .updateTable('findings')
            .set({ ...fields, sla_due_at: slaDue(config, rf.severity, kev === 1, old.first_seen_at) })
            .where('id', '=', old.id)
            .execute();
          unchanged++;
        } else {
          unchanged++;
        }
        continue;
      }
      // The same identity twice in one report (e.g. two records not merged as aliases): one finding.
      if (inserted.has(identity)) continue;
      inserted.add(identity);
      const row: FindingsTable = {
        id: randomId(),
        project_id: projectId,
        repository: image.repository,
        identity,
        vulnerability_id: rf.vulnerabilityId,
        package_name: rf.package.name,
        package_type: rf.package.type,
        package_purl: packagePurl,
        location,
        ...fields,
        state: 'new',
        state_reason: null,
        justification: null,
        planned_fix_at: null,
        acceptance_id: null,
        sla_due_at: slaDue(config, rf.severity, kev === 1, now),
        first_seen_at: now,
        first_scan_id: scanId,
        fixed_at: null,
      };
      const cover = acceptances.find((a) => acceptanceCovers(a, row));
      if (cover) {
        row.state = 'risk-accepted';
        row.acceptance_id = cover.id;
        row.state_reason = `covered by risk acceptance ${cover.id}`;
        accepted++;
      }
      inserts.push(row);
      audit.push({
        action: 'finding.opened',
        entityType: 'finding',
        entityId: row.id,
        projectId,
        details: {
          state: row.state,
          scan: scanId,
          vulnerability: row.vulnerability_id,
          package: row.package_purl,
          ...(cover ? { acceptance: cover.id } : {}),
        },
      });
    }
    for (let i = 0; i < inserts.length; i += CHUNK) {
      await tx
        .insertInto('findings')
        .values(inserts.slice(i, i + CHUNK))
        .execute();
    }
    // Findings of this repository this scan no longer has: fixed (the newer scan is the evidence).
    const gone = [...existing.values()].filter((f) => f.state !== 'fixed' && !seenIds.has(f.id));
    for (let i = 0; i < gone.length; i += CHUNK) {
      const ids = gone.slice(i, i + CHUNK).map((f) => f.id);
      await tx
        .updateTable('findings')
        .set({ state: 'fixed', fixed_at: now, updated_at: now, state_reason: `not found by scan ${scanId}` })
        .where('id', 'in', ids)
        .execute();
    }
    for (const f of gone)
      audit.push({
        action: 'finding.fixed',
        entityType: 'finding',
        entityId: f.id,
        projectId,
        reason: 'no longer found by a newer scan of the repository',
        details: { from: f.state, to: 'fixed', scan: scanId },
      });
    // Unchanged findings only move their "last seen" marks, in bulk.
    const quiet = touchedIds;
    for (let i = 0; i < quiet.length; i += CHUNK) {
      await tx
        .updateTable('findings')
        .set({ last_seen_at: now, last_scan_id: scanId, last_image_id: imageId, updated_at: now })
        .where('id', 'in', quiet.slice(i, i + CHUNK))
        .execute();
    }
    const links = [...inserts.map((f) => f.id), ...touchedIds].map((finding_id) => ({
      scan_id: scanId,
      finding_id,
    }));
    for (let i = 0; i < links.length; i += CHUNK) {
      await tx
        .insertInto('scan_findings')
        .values(links.slice(i, i + CHUNK))
        .execute();
    }
    const result: IngestResult = {
      scanId,
      imageId,
      findings: inserts.length + touchedIds.length,
      new: inserts.length,
      reopened,
      fixed: gone.length,
      unchanged,
      accepted,
    };
    await appendAudit(tx, actor, now, [
      {
        action: 'scan.ingested',
        entityType: 'scan',
        entityId: scanId,
        projectId,
        details: { kind: input.kind, image: { ...image }, ...result },
      },
      ...audit,
    ]);
    return result;
  });
}

/** VEX justifications (OpenVEX / CISA), required for `not-affected`. */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

/** States a user may set by hand; `fixed` comes from scans and `risk-accepted` from an approved acceptance. */
export const MANUAL_STATES = [
  'triaged',
  'fix-planned',
  'not-affected',
  'false-positive',
  'reopened',
] as const;
export type ManualState = (typeof MANUAL_STATES)[number];

const ALLOWED_FROM: Readonly<Record<ManualState, readonly FindingState[]>> = {
  triaged: ['new', 'reopened', 'fix-planned', 'not-affected', 'false-positive'],
  'fix-planned': ['new', 'triaged', 'reopened', 'fix-planned'],
  'not-affected': ['new', 'triaged', 'reopened', 'fix-planned'],
  'false-positive': ['new', 'triaged', 'reopened', 'fix-planned'],
  reopened: ['not-affected', 'false-positive'],
};

export interface TransitionInput {
  readonly state: ManualState;
  readonly reason: string;
  readonly plannedFixAt?: string | undefined;
  readonly justification?: string | undefined;
}

/** Move a finding to a state chosen by a user; 409 when the lifecycle does not allow it. */
export async function transition(
  store: Store,
  actor: Actor,
  findingId: string,
  input: TransitionInput,
  now: string,
): Promise<FindingsTable> {
  return store.write(async (tx) => {
    const f = await tx.selectFrom('findings').selectAll().where('id', '=', findingId).executeTakeFirst();
    if (!f) throw notFound('finding');
    if (!ALLOWED_FROM[input.state].includes(f.state)) {
      const hint =
        f.state === 'risk-accepted'
          ? ' (it is covered by a risk acceptance until that expires)'
          : f.state === 'fixed'
            ? ' (a scan marks it fixed; it reopens when a scan finds it again)'
            : '';
      throw conflict(`a ${f.state} finding cannot become ${input.state}${hint}`, 'E_STATE');
    }
    if (input.state === 'fix-planned' && !input.plannedFixAt)
      throw badRequest('fix-planned needs plannedFixAt (the date the fix is due)', 'E_VALIDATION');
    if (input.state === 'not-affected' && !input.justification)
      throw badRequest(
        `not-affected needs a VEX justification: ${VEX_JUSTIFICATIONS.join(', ')}`,
        'E_VALIDATION',
      );
    const set = {
      state: input.state,
      state_reason: input.reason,
      justification: input.state === 'not-affected' ? (input.justification ?? null) : null,
      planned_fix_at: input.state === 'fix-planned' ? (input.plannedFixAt ?? null) : null,
      updated_at: now,
    };
    await tx.updateTable('findings').set(set).where('id', '=', f.id).execute();
    await appendAudit(tx, actor, now, [
      {
        action: 'finding.transition',
        entityType: 'finding',
        entityId: f.id,
        projectId: f.project_id,
        reason: input.reason,
        details: {
          from: f.state,
          to: input.state,
          ...(set.planned_fix_at ? { plannedFixAt: set.planned_fix_at } : {}),
          ...(set.justification ? { justification: set.justification } : {}),
        },
      },
    ]);
    return { ...f, ...set };
  });
}

export interface AcceptanceRequest {
  readonly scope: AcceptanceScope;
  readonly projectId: string | null;
  readonly repository: string | null;
  readonly imageId: string | null;
  readonly vulnerabilityId: string | null;
  readonly packagePattern: string | null;
  readonly reason: string;
  readonly expiresAt: string;
}

/** Record a request for risk acceptance; it applies only once another user with the approver role approves. */
export async function requestAcceptance(
  store: Store,
  config: ServerConfig,
  actor: Actor,
  req: AcceptanceRequest,
  now: string,
): Promise<RiskAcceptancesTable> {
  if (Date.parse(req.expiresAt) <= Date.parse(now))
    throw badRequest('expiresAt must be in the future', 'E_VALIDATION');
  if (Date.parse(req.expiresAt) > Date.parse(addDays(now, config.maxAcceptanceDays)))
    throw badRequest(
      `expiresAt may be at most ${config.maxAcceptanceDays} days ahead (max-acceptance-days)`,
      'E_VALIDATION',
    );
  if (!req.vulnerabilityId && !req.packagePattern)
    throw badRequest('an acceptance names a vulnerabilityId, a packagePattern or both', 'E_VALIDATION');
  const row: RiskAcceptancesTable = {
    id: randomId(),
    scope: req.scope,
    project_id: req.projectId,
    repository: req.repository,
    image_id: req.imageId,
    vulnerability_id: req.vulnerabilityId,
    package_pattern: req.packagePattern,
    reason: req.reason,
    expires_at: new Date(Date.parse(req.expiresAt)).toISOString(),
    status: 'requested',
    requested_by: actor.id ?? actor.name,
    requested_at: now,
    decided_by: null,
    decided_at: null,
    decision_comment: null,
  };
  return store.write(async (tx) => {
    await tx.insertInto('risk_acceptances').values(row).execute();
    await appendAudit(tx, actor, now, [
      {
        action: 'acceptance.requested',
        entityType: 'acceptance',
        entityId: row.id,
        projectId: row.project_id,
        reason: row.reason,
        details: {
          scope: row.scope,
          repository: row.repository,
          image: row.image_id,
          vulnerability: row.vulnerability_id,
          packagePattern: row.package_pattern,
          expiresAt: row.expires_at,
        },
      },
    ]);
    return row;
  });
}

const OPEN_FOR_ACCEPTANCE: readonly FindingState[] = ['new', 'triaged', 'fix-planned', 'reopened'];

/**
 * Approve or reject a requested acceptance. Four eyes: the requester can never decide on its own
 * request. Approval moves every open finding it covers to `risk-accepted`.
 */
export async function decideAcceptance(
  store: Store,
  actor: Actor,
  id: string,
  decision: 'approved' | 'rejected',
  comment: string,
  now: string,
): Promise<{ acceptance: RiskAcceptancesTable; findings: number }> {
  return store.write(async (tx) => {
    const a = await tx.selectFrom('risk_acceptances').selectAll().where('id', '=', id).executeTakeFirst();
    if (!a) throw notFound('risk acceptance');
    if (a.status !== 'requested') throw conflict(`the acceptance is already ${a.status}`, 'E_STATE');
    if (a.requested_by === actor.id)
      throw forbidden('the requester cannot decide on its own request (four-eyes rule)', 'E_FOUR_EYES');
    if (decision === 'approved' && Date.parse(a.expires_at) <= Date.parse(now))
      throw conflict('the acceptance expired before it was approved', 'E_STATE');
    const decided = {
      status: decision,
      decided_by: actor.id ?? actor.name,
      decided_at: now,
      decision_comment: comment,
    };
    await tx.updateTable('risk_acceptances').set(decided).where('id', '=', id).execute();
    const audit: AuditEntry[] = [
      {
        action: decision === 'approved' ? 'acceptance.approved' : 'acceptance.rejected',
        entityType: 'acceptance',
        entityId: id,
        projectId: a.project_id,
        reason: comment,
        details: { requestedBy: a.requested_by },
      },
    ];
    let covered: FindingsTable[] = [];
    if (decision === 'approved') {
      let q = tx.selectFrom('findings').selectAll().where('state', 'in', OPEN_FOR_ACCEPTANCE);
      if (a.project_id !== null) q = q.where('project_id', '=', a.project_id);
      if (a.repository !== null) q = q.where('repository', '=', a.repository);
      if (a.image_id !== null) q = q.where('last_image_id', '=', a.image_id);
      const merged = { ...a, ...decided };
      covered = (await q.execute()).filter((f) => acceptanceCovers(merged, f));
      for (let i = 0; i < covered.length; i += CHUNK) {
        await tx
          .updateTable('findings')
          .set({ state: 'risk-accepted', acceptance_id: id, state_reason: a.reason, updated_at: now })
          .where(
            'id',
            'in',
            covered.slice(i, i + CHUNK).map((f) => f.id),
          )
          .execute();
      }
      for (const f of covered)
        audit.push({
          action: 'finding.transition',
          entityType: 'finding',
          entityId: f.id,
          projectId: f.project_id,
          reason: a.reason,
          details: { from: f.state, to: 'risk-accepted', acceptance: id, expiresAt: a.expires_at },
        });
    }
    await appendAudit(tx, actor, now, audit);
    return { acceptance: { ...a, ...decided }, findings: covered.length };
  });
}

/**
 * Expire approved acceptances whose time is up and reopen the findings they covered. Run on a timer by
 * the server (sweep-interval) and before answering finding queries.
 */
export async function expireAcceptances(
  store: Store,
  now: string,
): Promise<{ expired: number; reopened: number }> {
  const due = await store.db
    .selectFrom('risk_acceptances')
    .select('id')
    .where('status', '=', 'approved')
    .where('expires_at', '<=', now)
    .execute();
  if (due.length === 0) return { expired: 0, reopened: 0 };
  return store.write(async (tx) => {
    const rows = await tx
      .selectFrom('risk_acceptances')
      .selectAll()
      .where('status', '=', 'approved')
      .where('expires_at', '<=', now)
      .orderBy('id')
      .execute();
    let reopened = 0;
    const audit: AuditEntry[] = [];
    for (const a of rows) {
      await tx.updateTable('risk_acceptances').set({ status: 'expired' }).where('id', '=', a.id).execute();
      audit.push({
        action: 'acceptance.expired',
        entityType: 'acceptance',
        entityId: a.id,
        projectId: a.project_id,
        details: { expiresAt: a.expires_at },
      });
      const covered = await tx
        .selectFrom('findings')
        .select(['id', 'project_id'])
        .where('acceptance_id', '=', a.id)
        .where('state', '=', 'risk-accepted')
        .orderBy('id')
        .execute();
      if (covered.length > 0)
        await tx
          .updateTable('findings')
          .set({
            state: 'reopened',
            acceptance_id: null,
            state_reason: `risk acceptance ${a.id} expired`,
            updated_at: now,
          })
          .where('acceptance_id', '=', a.id)
          .where('state', '=', 'risk-accepted')
          .execute();
      for (const f of covered)
        audit.push({
          action: 'finding.reopened',
          entityType: 'finding',
          entityId: f.id,
          projectId: f.project_id,
          reason: 'risk acceptance expired',
          details: { from: 'risk-accepted', to: 'reopened', acceptance: a.id },
        });
      reopened += covered.length;
    }
    await appendAudit(tx, SYSTEM_ACTOR, now, audit);
    return { expired: rows.length, reopened };
  });
}
