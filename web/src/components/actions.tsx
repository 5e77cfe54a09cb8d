/**
 * The register's actions as forms: move findings (one or many) to a state, request a risk acceptance,
 * approve or reject one. Shown only to users whose role allows them; the server decides anyway, and its
 * refusal is shown as the error.
 */
import { useState } from 'preact/hooks';
import {
  MANUAL_STATES,
  VEX_JUSTIFICATIONS,
  messageOf,
  post,
  type Acceptance,
  type Finding,
  type Image,
} from '../api';
import { href } from '../router';
import { ErrorBox, Notice } from './ui';

const STATE_LABEL: Record<(typeof MANUAL_STATES)[number], string> = {
  triaged: 'Triage (acknowledge)',
  'fix-planned': 'Plan a fix (with a due date)',
  'not-affected': 'Not affected (VEX justification)',
  'false-positive': 'False positive',
  reopened: 'Reopen',
};

const inDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Set the state of one or several findings of `project`; `onDone` after the last one. */
export function StateForm({
  project,
  findings,
  onDone,
  idPrefix = 'state',
}: {
  project: string;
  findings: readonly Pick<Finding, 'id' | 'vulnerabilityId'>[];
  onDone: () => void;
  idPrefix?: string;
}) {
  const [state, setState] = useState<(typeof MANUAL_STATES)[number]>('triaged');
  const [reason, setReason] = useState('');
  const [date, setDate] = useState(inDays(30));
  const [justification, setJustification] = useState<string>(VEX_JUSTIFICATIONS[0]);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = (s: string): string => `${idPrefix}-${s}`;

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    let ok = 0;
    const failures: string[] = [];
    for (const f of findings) {
      try {
        await post(`${href('projects', project, 'findings', f.id)}/state`, {
          state,
          reason,
          ...(state === 'fix-planned' ? { plannedFixAt: date } : {}),
          ...(state === 'not-affected' ? { justification } : {}),
        });
        ok++;
      } catch (err) {
        failures.push(`${f.vulnerabilityId}: ${messageOf(err)}`);
      }
    }
    setBusy(false);
    if (failures.length)
      setError(`${failures.length} of ${findings.length} not changed — ${failures.slice(0, 3).join('; ')}`);
    if (ok) {
      setDone(`${ok} finding${ok === 1 ? '' : 's'} set to ${state}.`);
      setReason('');
      onDone();
    }
  };

  return (
    <form class="action-form" onSubmit={(e) => void submit(e)} aria-label="Change the state of findings">
      <ErrorBox message={error} />
      <Notice message={done} />
      <div class="row">
        <div class="field">
          <label for={id('state')}>New state</label>
          <select
            id={id('state')}
            value={state}
            onChange={(e) => setState(e.currentTarget.value as typeof state)}
          >
            {MANUAL_STATES.map((s) => (
              <option key={s} value={s}>
                {STATE_LABEL[s]}
              </option>
            ))}
          </select>
        </div>
        {state === 'fix-planned' && (
          <div class="field">
            <label for={id('date')}>Fix due by</label>
            <input
              id={id('date')}
              type="date"
              required
              value={date}
              onInput={(e) => setDate(e.currentTarget.value)}
            />
          </div>
        )}
        {state === 'not-affected' && (
          <div class="field">
            <label for={id('just')}>VEX justification</label>
            <select
              id={id('just')}
              value={justification}
              onChange={(e) => setJustification(e.currentTarget.value)}
            >
              {VEX_JUSTIFICATIONS.map((j) => (
                <option key={j} value={j}>
                  {j.replace(/_/g, ' ')}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <div class="field">
        <label for={id('reason')}>Reason (kept in the history)</label>
        <textarea
          id={id('reason')}
          required
          minLength={3}
          rows={2}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="primary" disabled={busy || findings.length === 0}>
        {findings.length > 1 ? `Apply to ${findings.length} findings` : 'Apply'}
      </button>
    </form>
  );
}

/** Request a risk acceptance for a vulnerability in an image or a repository of `project`. */
export function AcceptanceRequestForm({
  project,
  repository,
  vulnerabilityId,
  images,
  onDone,
}: {
  project: string;
  repository: string;
  vulnerabilityId: string;
  images: readonly Image[];
  onDone: (a: Acceptance) => void;
}) {
  const repoImages = images.filter((i) => i.repository === repository);
  const [scope, setScope] = useState<'image' | 'repository'>('repository');
  const [imageId, setImageId] = useState(repoImages[0]?.id ?? '');
  const [reason, setReason] = useState('');
  const [expires, setExpires] = useState(inDays(90));
  const [pattern, setPattern] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const a = await post<Acceptance>(`${href('projects', project)}/acceptances`, {
        scope,
        repository,
        ...(scope === 'image' ? { imageId } : {}),
        vulnerabilityId,
        ...(pattern ? { packagePattern: pattern } : {}),
        reason,
        expiresAt: expires,
      });
      onDone(a);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="action-form" onSubmit={(e) => void submit(e)} aria-label="Request a risk acceptance">
      <ErrorBox message={error} />
      <p class="muted">Another user with the security role must approve it before it applies (four eyes).</p>
      <div class="row">
        <div class="field">
          <label for="acc-scope">Scope</label>
          <select
            id="acc-scope"
            value={scope}
            onChange={(e) => setScope(e.currentTarget.value as typeof scope)}
          >
            <option value="repository">This repository ({repository})</option>
            <option value="image" disabled={repoImages.length === 0}>
              One image of it
            </option>
          </select>
        </div>
        {scope === 'image' && (
          <div class="field">
            <label for="acc-image">Image</label>
            <select id="acc-image" value={imageId} onChange={(e) => setImageId(e.currentTarget.value)}>
              {repoImages.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.tag} ({i.environment})
                </option>
              ))}
            </select>
          </div>
        )}
        <div class="field">
          <label for="acc-expires">Expires on</label>
          <input
            id="acc-expires"
            type="date"
            required
            value={expires}
            onInput={(e) => setExpires(e.currentTarget.value)}
          />
        </div>
      </div>
      <div class="field">
        <label for="acc-pattern">Package pattern (optional PURL pattern, e.g. pkg:deb/debian/openssl*)</label>
        <input id="acc-pattern" value={pattern} onInput={(e) => setPattern(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="acc-reason">Reason</label>
        <textarea
          id="acc-reason"
          required
          minLength={3}
          rows={3}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      <button type="submit" class="primary" disabled={busy}>
        Request risk acceptance
      </button>
    </form>
  );
}

/** Approve or reject a requested acceptance with a comment. */
export function DecisionForm({ acceptance, onDone }: { acceptance: Acceptance; onDone: () => void }) {
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const decide = async (what: 'approve' | 'reject'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await post(`${href('acceptances', acceptance.id)}/${what}`, { comment });
      onDone();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="action-form"
      onSubmit={(e) => e.preventDefault()}
      aria-label="Decide on this risk acceptance"
    >
      <ErrorBox message={error} />
      <div class="field">
        <label for="decision-comment">Comment (kept in the history)</label>
        <textarea
          id="decision-comment"
          required
          rows={2}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
        />
      </div>
      <div class="row">
        <button type="button" class="primary" disabled={busy} onClick={() => void decide('approve')}>
          Approve
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void decide('reject')}>
          Reject
        </button>
      </div>
    </form>
  );
}
