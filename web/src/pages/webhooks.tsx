/**
 * A project's webhooks (admins and project owners): add one (the signing secret is shown once), choose
 * its events and filters, enable or disable it, send a test ping, see its deliveries and retry a failed
 * one. On a server without the webhooks API the page says so.
 */
import { useState } from 'preact/hooks';
import { api, ApiError, get, messageOf, post, SEVERITIES, type Page } from '../api';
import { ErrorBox, Notice, PageTitle, Show, When, useLoad } from '../components/ui';
import { href } from '../router';

export const WEBHOOK_EVENTS = [
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

interface Webhook {
  id: string;
  url: string;
  description: string;
  events: string[];
  minSeverity: string | null;
  kevOnly: boolean;
  enabled: boolean;
  createdBy: string;
  createdAt: string;
}

interface Delivery {
  id: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Null when the server has no webhooks API (an older server): the route itself is unknown. */
async function loadWebhooks(project: string): Promise<Webhook[] | null> {
  try {
    return (await get<Page<Webhook>>(`${href('projects', project)}/webhooks`)).items;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.message.startsWith('no route')) return null;
    throw err;
  }
}

export function WebhooksPage({ project }: { project: string }) {
  const l = useLoad(() => loadWebhooks(project), `webhooks:${project}`);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [secret, setSecret] = useState<string>();
  const [open, setOpen] = useState<string>();
  const base = `${href('projects', project)}/webhooks`;

  const act = async (what: () => Promise<unknown>, done: string): Promise<void> => {
    setError(undefined);
    setNotice(undefined);
    try {
      await what();
      setNotice(done);
      l.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <>
      <PageTitle title={`Webhooks of ${project}`}>
        <p class="crumbs">
          <a href={href('projects', project)}>Project {project}</a>
        </p>
      </PageTitle>
      <Show l={l}>
        {(hooks) =>
          hooks === null ? (
            <p class="notice" role="status" id="no-webhooks-api">
              This server has no webhooks API yet (it answers no route for /projects/{project}/webhooks).
            </p>
          ) : (
            <>
              <p>
                Events are POSTed as JSON signed with HMAC-SHA256 (header <code>Bulwark-Signature</code>),
                retried with back-off. Admins and owners of the project manage them.
              </p>
              <ErrorBox message={error} />
              <Notice message={notice} />
              {secret && (
                <div class="notice" role="status">
                  Signing secret (shown only now; copy it): <code class="secret">{secret}</code>
                </div>
              )}
              <CreateForm
                base={base}
                onCreated={(s) => {
                  setSecret(s);
                  setNotice('Webhook added.');
                  l.reload();
                }}
              />
              <table class="webhooks">
                <caption class="sr-only">Webhooks</caption>
                <thead>
                  <tr>
                    <th scope="col">URL</th>
                    <th scope="col">Events</th>
                    <th scope="col">Filter</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {hooks.length === 0 && (
                    <tr>
                      <td colSpan={5}>No webhook yet.</td>
                    </tr>
                  )}
                  {hooks.map((w) => (
                    <tr key={w.id}>
                      <td class="wrap">
                        <code>{w.url}</code>
                        {w.description && <div class="small muted">{w.description}</div>}
                      </td>
                      <td class="small">
                        {w.events.length === WEBHOOK_EVENTS.length ? 'all' : w.events.join(', ')}
                      </td>
                      <td class="small">
                        {w.minSeverity ? `${w.minSeverity} and above` : 'any severity'}
                        {w.kevOnly ? ', KEV only' : ''}
                      </td>
                      <td>{w.enabled ? 'enabled' : 'disabled'}</td>
                      <td>
                        <div class="row">
                          <button
                            type="button"
                            onClick={() =>
                              void act(
                                () => post(`${base}/${encodeURIComponent(w.id)}/ping`),
                                `Ping queued for ${w.url}.`,
                              )
                            }
                          >
                            Ping<span class="sr-only"> {w.url}</span>
                          </button>
                          <button
                            type="button"
                            onClick={() =>
                              void act(
                                () =>
                                  api('PATCH', `${base}/${encodeURIComponent(w.id)}`, {
                                    enabled: !w.enabled,
                                  }),
                                `${w.url} ${w.enabled ? 'disabled' : 'enabled'}.`,
                              )
                            }
                          >
                            {w.enabled ? 'Disable' : 'Enable'}
                            <span class="sr-only"> {w.url}</span>
                          </button>
                          <button
                            type="button"
                            aria-expanded={open === w.id}
                            onClick={() => setOpen(open === w.id ? undefined : w.id)}
                          >
                            Deliveries<span class="sr-only"> of {w.url}</span>
                          </button>
                          <button
                            type="button"
                            class="danger"
                            onClick={() =>
                              void act(
                                () => api('DELETE', `${base}/${encodeURIComponent(w.id)}`),
                                `${w.url} deleted.`,
                              )
                            }
                          >
                            Delete<span class="sr-only"> {w.url}</span>
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {open && hooks.some((w) => w.id === open) && (
                <Deliveries base={`${base}/${encodeURIComponent(open)}`} />
              )}
            </>
          )
        }
      </Show>
    </>
  );
}

function CreateForm({ base, onCreated }: { base: string; onCreated: (secret: string | undefined) => void }) {
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<Set<string>>(new Set(WEBHOOK_EVENTS));
  const [minSeverity, setMinSeverity] = useState('');
  const [kevOnly, setKevOnly] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const w = await post<{ secret?: string }>(base, {
        url,
        description,
        events: WEBHOOK_EVENTS.filter((x) => events.has(x)),
        minSeverity: minSeverity || null,
        kevOnly,
      });
      setUrl('');
      setDescription('');
      onCreated(w.secret);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <form class="action-form" onSubmit={(e) => void submit(e)} aria-label="Add a webhook">
      <ErrorBox message={error} />
      <div class="row">
        <div class="field">
          <label for="wh-url">Receiver URL</label>
          <input
            id="wh-url"
            type="url"
            required
            size={40}
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="wh-desc">Description</label>
          <input id="wh-desc" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="wh-sev">Findings of severity</label>
          <select id="wh-sev" value={minSeverity} onChange={(e) => setMinSeverity(e.currentTarget.value)}>
            <option value="">any</option>
            {SEVERITIES.filter((s) => s !== 'unknown' && s !== 'negligible').map((s) => (
              <option key={s} value={s}>
                {s} and above
              </option>
            ))}
          </select>
        </div>
        <div class="field check">
          <input
            id="wh-kev"
            type="checkbox"
            checked={kevOnly}
            onChange={(e) => setKevOnly(e.currentTarget.checked)}
          />
          <label for="wh-kev">KEV findings only</label>
        </div>
      </div>
      <fieldset class="events">
        <legend>Events</legend>
        {WEBHOOK_EVENTS.map((ev) => (
          <span key={ev} class="field check">
            <input
              id={`wh-ev-${ev}`}
              type="checkbox"
              checked={events.has(ev)}
              onChange={(e) => {
                const s = new Set(events);
                if (e.currentTarget.checked) s.add(ev);
                else s.delete(ev);
                setEvents(s);
              }}
            />
            <label for={`wh-ev-${ev}`}>{ev}</label>
          </span>
        ))}
      </fieldset>
      <button type="submit" class="primary" disabled={events.size === 0}>
        Add webhook
      </button>
    </form>
  );
}

function Deliveries({ base }: { base: string }) {
  const l = useLoad(() => get<Page<Delivery>>(`${base}/deliveries`, { limit: 50 }), `deliveries:${base}`);
  const [error, setError] = useState<string>();
  return (
    <section aria-labelledby="deliveries-h">
      <h2 id="deliveries-h">
        Deliveries{' '}
        <button type="button" class="ghost" onClick={l.reload}>
          Refresh
        </button>
      </h2>
      <ErrorBox message={error} />
      <Show l={l}>
        {(d) =>
          d.items.length === 0 ? (
            <p class="muted">No delivery yet.</p>
          ) : (
            <table class="compact deliveries">
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((x) => (
                  <tr key={x.id}>
                    <td>{x.eventType}</td>
                    <td>{x.status}</td>
                    <td>{x.attempts}</td>
                    <td class="wrap small">
                      {x.lastError ?? (x.lastStatus !== null ? `HTTP ${x.lastStatus}` : '—')}
                    </td>
                    <td>
                      <When at={x.createdAt} time />
                    </td>
                    <td>
                      {x.status === 'dead' && (
                        <button
                          type="button"
                          onClick={() => {
                            setError(undefined);
                            post(`${base}/deliveries/${encodeURIComponent(x.id)}/retry`).then(
                              l.reload,
                              (err: unknown) => setError(messageOf(err)),
                            );
                          }}
                        >
                          Retry
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </section>
  );
}
