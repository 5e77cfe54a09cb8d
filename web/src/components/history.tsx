/** Audit entries as a readable timeline (finding and acceptance histories, the audit log). */
import type { AuditEntry, FindingHistory } from '../api';
import { When } from './ui';

/** The interesting parts of an entry's details, as `key: value` text. */
export function detailsText(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

export function History({ entries }: { entries: readonly AuditEntry[] }) {
  if (entries.length === 0) return <p class="muted">No history yet.</p>;
  return (
    <ol class="history">
      {entries.map((e) => (
        <li key={e.seq}>
          <When at={e.at} time /> — <strong>{e.actor}</strong> <code>{e.action}</code>
          {e.reason && <span>: {e.reason}</span>}
          {detailsText(e.details) && <div class="muted small">{detailsText(e.details)}</div>}
        </li>
      ))}
    </ol>
  );
}

/** A finding's state changes (GET …/findings/{id}/history): who moved it from what to what, and why. */
export function StateHistory({ items }: { items: FindingHistory['items'] }) {
  if (items.length === 0) return <p class="muted">No history yet.</p>;
  return (
    <ol class="history">
      {items.map((e) => (
        <li key={e.seq}>
          <When at={e.at} time /> — <strong>{e.actor}</strong> <code>{e.action}</code>
          {(e.from || e.to) && (
            <span>
              {' '}
              {e.from ?? '∅'} → {e.to ?? '?'}
            </span>
          )}
          {e.reason && <span>: {e.reason}</span>}
          {e.acceptanceId && (
            <span>
              {' '}
              (<a href={`/acceptances/${encodeURIComponent(e.acceptanceId)}`}>acceptance</a>)
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}
