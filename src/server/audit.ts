/**
 * The audit log: every change to the register is appended as one row (who, when, what, why) inside the
 * same transaction as the change. Rows form a hash chain — each carries the sha256 of the previous row
 * and its own hash over its fields and that previous hash — so editing, deleting or reordering any row
 * breaks the chain at that row, which {@link verifyAudit} reports. Sequence numbers are assigned under
 * the store's write lock, so concurrent writers never fork the chain.
 */
import { createHash } from 'node:crypto';
import type { Db, Tx } from './store/connect.js';
import type { AuditLogTable } from './store/schema.js';
import { recordAuditEvents } from './webhooks/outbox.js';

/** The `prev_hash` of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** Who made a change: a user, or the server itself (`system`, e.g. a re-scan marking a finding fixed). */
export interface Actor {
  readonly id: string | null;
  readonly name: string;
}

export const SYSTEM_ACTOR: Actor = { id: null, name: 'system' };

export interface AuditEntry {
  readonly action: string;
  readonly entityType: string;
  readonly entityId: string;
  readonly projectId?: string | null;
  readonly reason?: string | null;
  readonly details?: Readonly<Record<string, unknown>>;
}

type Unhashed = Omit<AuditLogTable, 'hash'>;

/** The hash of a row: sha256 over a JSON array of every field but `hash`, in a fixed order. */
export function auditHash(row: Unhashed): string {
  const fields = [
    row.seq,
    row.at,
    row.actor_id,
    row.actor,
    row.action,
    row.entity_type,
    row.entity_id,
    row.project_id,
    row.reason,
    row.details,
    row.prev_hash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

const INSERT_CHUNK = 200;

/** Append entries (in order) by `actor` at `at`. Must run inside `store.write`. */
export async function appendAudit(
  tx: Tx,
  actor: Actor,
  at: string,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const last = await tx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS_HASH;
  const rows: AuditLogTable[] = [];
  for (const e of entries) {
    const row: Unhashed = {
      seq: ++seq,
      at,
      actor_id: actor.id,
      actor: actor.name,
      action: e.action,
      entity_type: e.entityType,
      entity_id: e.entityId,
      project_id: e.projectId ?? null,
      reason: e.reason ?? null,
      details: JSON.stringify(e.details ?? {}),
      prev_hash: prev,
    };
    prev = auditHash(row);
    rows.push({ ...row, hash: prev });
  }
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx
      .insertInto('audit_log')
      .values(rows.slice(i, i + INSERT_CHUNK))
      .execute();
  }
  // Webhook events of these changes go to the outbox in the same transaction (webhooks/outbox.ts).
  await recordAuditEvents(tx, actor.name, at, entries);
}

export interface AuditVerification {
  readonly ok: boolean;
  /** Rows checked. */
  readonly rows: number;
  /**
   * Hash of the newest row when the chain verifies. Removing the newest rows leaves a valid shorter
   * chain; keeping this value somewhere else (a ticket, a log) detects that too.
   */
  readonly head?: string;
  /** The first row that does not verify, and why. */
  readonly firstBad?: { readonly seq: number; readonly problem: string };
}

const PAGE = 2000;

/** Walk the whole chain in order; stops at the first row whose sequence, link or hash is wrong. */
export async function verifyAudit(db: Db): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let expectSeq = 1;
  let rows = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of page) {
      rows++;
      const bad = (problem: string): AuditVerification => ({
        ok: false,
        rows,
        firstBad: { seq: row.seq, problem },
      });
      if (row.seq !== expectSeq)
        return { ok: false, rows, firstBad: { seq: expectSeq, problem: 'row missing' } };
      if (row.prev_hash !== prevHash) return bad('does not link to the previous row (prev_hash differs)');
      const { hash, ...rest } = row;
      if (auditHash({ ...rest, seq: Number(rest.seq) }) !== hash)
        return bad('content does not match its hash');
      prevHash = hash;
      expectSeq++;
    }
    if (page.length < PAGE) return { ok: true, rows, ...(rows > 0 ? { head: prevHash } : {}) };
  }
}
