/**
 * The webhook outbox. Events are written as delivery rows (one per subscribed webhook) inside the very
 * transaction that makes the change they report, so an event exists if and only if its change was
 * committed — no lost notification after a crash, no notification of a rolled-back change. A deliverer
 * (./deliver.ts) later claims and sends them.
 *
 * Register changes already append audit entries in their transaction; {@link recordAuditEvents} (called
 * by `appendAudit`) turns those entries into events, so every writer — ingest, triage, acceptances,
 * expiry, and later rematch — produces events without knowing about webhooks. Events without an audit
 * entry of their own (a rematch summary) are written with {@link recordEvent}.
 */
import { randomId } from '../auth.js';
import type { Tx } from '../store/connect.js';
import type { FindingsTable, WebhookDeliveriesTable, WebhooksTable } from '../store/schema.js';

/** Event types a webhook can subscribe to. */
export const EVENT_TYPES = [
  'scan.ingested',
  'findings.opened',
  'findings.fixed',
  'findings.reopened',
  'findings.state-changed',
  'acceptance.requested',
  'acceptance.decided',
  'acceptance.expired',
  'rematch.completed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number] | 'ping';

/** Events that carry `data.findings` (filtered per webhook by severity and KEV). */
const FINDING_EVENTS: ReadonlySet<string> = new Set([
  'findings.opened',
  'findings.fixed',
  'findings.reopened',
  'findings.state-changed',
]);

/** Severities from lowest to highest, for `minSeverity`. */
export const SEVERITIES = ['unknown', 'negligible', 'low', 'medium', 'high', 'critical'] as const;
const rank = (s: string): number => Math.max(0, SEVERITIES.indexOf(s as (typeof SEVERITIES)[number]));

/** A finding as webhook payloads show it. */
export interface FindingPayload {
  readonly id: string;
  readonly repository: string;
  readonly vulnerabilityId: string;
  readonly aliases: readonly string[];
  readonly package: {
    readonly name: string;
    readonly type: string;
    readonly purl: string;
    readonly version: string;
  };
  readonly location: string;
  readonly severity: string;
  readonly kev: boolean;
  readonly fixedVersion: string | null;
  readonly state: string;
  /** For state changes: the state before. */
  readonly from?: string;
  readonly reason?: string | null;
}

export function findingPayload(f: FindingsTable, extra: { from?: string; reason?: string | null } = {}) {
  return {
    id: f.id,
    repository: f.repository,
    vulnerabilityId: f.vulnerability_id,
    aliases: JSON.parse(f.aliases) as string[],
    package: { name: f.package_name, type: f.package_type, purl: f.package_purl, version: f.version },
    location: f.location,
    severity: f.severity,
    kev: f.kev === 1,
    fixedVersion: f.fixed_version,
    state: f.state,
    ...extra,
  } satisfies FindingPayload;
}

export interface OutboxEvent {
  readonly type: EventType;
  /** The project it is about; null for organisation-wide events (sent to every project's webhooks). */
  readonly projectId: string | null;
  /** Who caused it (user name or `system`). */
  readonly actor: string;
  /** Event-specific fields; finding events put their findings in `findings` instead. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly findings?: readonly FindingPayload[];
}

/** A webhook wants this event (type, project) — before the severity/KEV filter. */
function subscribed(w: WebhooksTable, e: OutboxEvent): boolean {
  if (e.projectId !== null && w.project_id !== e.projectId) return false;
  return e.type === 'ping' || (JSON.parse(w.events) as string[]).includes(e.type);
}

/** The findings of an event this webhook wants (minimum severity, KEV only). */
export function filterFindings(
  w: Pick<WebhooksTable, 'min_severity' | 'kev_only'>,
  findings: readonly FindingPayload[],
): FindingPayload[] {
  return findings.filter(
    (f) =>
      (w.min_severity === null || rank(f.severity) >= rank(w.min_severity)) && (w.kev_only === 0 || f.kev),
  );
}

/** Finding events larger than this are split into several deliveries (receivers keep bodies small). */
const FINDINGS_PER_EVENT = 500;

async function projectNames(tx: Tx, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.selectFrom('projects').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Write `events` to the outbox inside `tx` (the caller's transaction): one pending delivery per webhook
 * that subscribes to the event's type and project, with its body already filtered for that webhook.
 * `webhooks` restricts the candidates (e.g. one webhook for a ping). Returns the deliveries written.
 */
export async function recordEvents(
  tx: Tx,
  at: string,
  events: readonly OutboxEvent[],
  webhooks?: readonly WebhooksTable[],
): Promise<WebhookDeliveriesTable[]> {
  if (events.length === 0) return [];
  const hooks = webhooks ?? (await tx.selectFrom('webhooks').selectAll().where('enabled', '=', 1).execute());
  if (hooks.length === 0) return [];
  const names = await projectNames(tx, [...new Set(hooks.map((w) => w.project_id))]);
  const rows: WebhookDeliveriesTable[] = [];
  for (const e of events) {
    const targets = hooks.filter((w) => subscribed(w, e));
    if (targets.length === 0) continue;
    const chunks: (readonly FindingPayload[] | undefined)[] = [];
    if (FINDING_EVENTS.has(e.type) || e.findings) {
      const all = e.findings ?? [];
      for (let i = 0; i < all.length; i += FINDINGS_PER_EVENT)
        chunks.push(all.slice(i, i + FINDINGS_PER_EVENT));
    } else chunks.push(undefined);
    for (const chunk of chunks) {
      const eventId = randomId();
      for (const w of targets) {
        const findings = chunk ? filterFindings(w, chunk) : undefined;
        if (findings && findings.length === 0) continue;
        const body = {
          id: eventId,
          type: e.type,
          createdAt: at,
          project: { id: w.project_id, name: names.get(w.project_id) ?? null },
          actor: e.actor,
          webhook: w.id,
          data: { ...e.data, ...(findings ? { findings } : {}) },
        };
        rows.push({
          id: randomId(),
          webhook_id: w.id,
          project_id: w.project_id,
          event_id: eventId,
          event_type: e.type,
          body: JSON.stringify(body),
          status: 'pending',
          attempts: 0,
          next_attempt_at: at,
          lease_owner: null,
          lease_until: null,
          last_status: null,
          last_error: null,
          created_at: at,
          delivered_at: null,
        });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 200) {
    await tx
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + 200))
      .execute();
  }
  return rows;
}

/**
 * Record one event in the outbox, in the caller's transaction (`store.write`). For changes that have no
 * audit entry of their own — e.g. a rematch run's summary (`rematch.completed`); finding changes that
 * are audited already become events through the audit log, so do not record them twice.
 */
export async function recordEvent(tx: Tx, event: OutboxEvent, at: string): Promise<number> {
  return (await recordEvents(tx, at, [event])).length;
}

/** The part of an audit entry this module reads (kept structural: audit.ts imports this module). */
export interface AuditLike {
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly projectId?: string | null;
  readonly reason?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

const FINDING_ACTIONS: Readonly<Record<string, EventType>> = {
  'finding.opened': 'findings.opened',
  'finding.fixed': 'findings.fixed',
  'finding.reopened': 'findings.reopened',
  'finding.transition': 'findings.state-changed',
};

/**
 * Turn the audit entries of one transaction into outbox events: finding changes grouped into one event
 * per (type, project) with the findings' current fields; scans and acceptances one event each. Costs one
 * query when no webhook is enabled.
 */
export async function recordAuditEvents(
  tx: Tx,
  actor: string,
  at: string,
  entries: readonly AuditLike[],
): Promise<void> {
  const relevant = entries.filter(
    (e) => e.action in FINDING_ACTIONS || e.action.startsWith('acceptance.') || e.action === 'scan.ingested',
  );
  if (relevant.length === 0) return;
  const hooks = await tx.selectFrom('webhooks').selectAll().where('enabled', '=', 1).execute();
  if (hooks.length === 0) return;
  const events: OutboxEvent[] = [];
  const groups = new Map<string, { type: EventType; projectId: string | null; entries: AuditLike[] }>();
  for (const e of relevant) {
    const type = FINDING_ACTIONS[e.action];
    if (type) {
      const key = `${type}\u0000${e.projectId ?? ''}`;
      const g = groups.get(key) ?? { type, projectId: e.projectId ?? null, entries: [] };
      g.entries.push(e);
      groups.set(key, g);
      continue;
    }
    const base = { projectId: e.projectId ?? null, actor };
    if (e.action === 'scan.ingested')
      events.push({ ...base, type: 'scan.ingested', data: { scan: e.entityId, ...e.details } });
    else if (e.action === 'acceptance.requested')
      events.push({
        ...base,
        type: 'acceptance.requested',
        data: { acceptance: e.entityId, reason: e.reason ?? null, ...e.details },
      });
    else if (e.action === 'acceptance.approved' || e.action === 'acceptance.rejected')
      events.push({
        ...base,
        type: 'acceptance.decided',
        data: {
          acceptance: e.entityId,
          decision: e.action === 'acceptance.approved' ? 'approved' : 'rejected',
          comment: e.reason ?? null,
          ...e.details,
        },
      });
    else if (e.action === 'acceptance.expired')
      events.push({ ...base, type: 'acceptance.expired', data: { acceptance: e.entityId, ...e.details } });
  }
  for (const g of groups.values()) {
    // Only read the findings when some webhook wants this event.
    if (!hooks.some((w) => subscribed(w, { type: g.type, projectId: g.projectId, actor, data: {} })))
      continue;
    const byId = new Map<string, FindingsTable>();
    const ids = [...new Set(g.entries.map((e) => e.entityId))];
    for (let i = 0; i < ids.length; i += 200) {
      const rows = await tx
        .selectFrom('findings')
        .selectAll()
        .where('id', 'in', ids.slice(i, i + 200))
        .execute();
      for (const r of rows) byId.set(r.id, r);
    }
    const findings: FindingPayload[] = [];
    const scans = new Set<string>();
    for (const e of g.entries) {
      const f = byId.get(e.entityId);
      if (!f) continue;
      const d = e.details ?? {};
      if (typeof d.scan === 'string') scans.add(d.scan);
      findings.push(
        findingPayload(f, {
          ...(typeof d.from === 'string' ? { from: d.from } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
        }),
      );
    }
    events.push({
      type: g.type,
      projectId: g.projectId,
      actor,
      data: scans.size ? { scans: [...scans].sort() } : {},
      findings,
    });
  }
  await recordEvents(tx, at, events, hooks);
}
