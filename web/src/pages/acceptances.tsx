/** Risk acceptances: the list (by status) and one acceptance with its history and the four-eyes decision. */
import { can, get, type Acceptance, type Page, type Project } from '../api';
import { DecisionForm } from '../components/actions';
import { History } from '../components/history';
import { PageTitle, Pager, Show, When, useLoad } from '../components/ui';
import { href, setQuery, useLocation } from '../router';
import { useMe } from '../session';

const LIMIT = 50;
const STATUSES = ['requested', 'approved', 'rejected', 'expired', 'revoked'] as const;

function Status({ status }: { status: string }) {
  return <span class={`badge acc-${status}`}>{status}</span>;
}

function scopeText(a: Acceptance, projects: Map<string, string>): string {
  const what = [a.vulnerabilityId, a.packagePattern].filter(Boolean).join(' in ');
  const where =
    a.scope === 'organisation'
      ? 'the whole organisation'
      : `${a.scope === 'image' ? 'an image of ' : ''}${a.repository ?? ''} (${projects.get(a.projectId ?? '') ?? 'project'})`;
  return `${what || 'everything'} — ${where}`;
}

export function AcceptancesPage() {
  const { query } = useLocation();
  const status = query.get('status') ?? '';
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const l = useLoad(
    async () => ({
      list: await get<Page<Acceptance>>('/acceptances', {
        status,
        limit: LIMIT + 1,
        offset: (page - 1) * LIMIT,
      }),
      projects: new Map((await get<Page<Project>>('/projects')).items.map((p) => [p.id, p.name])),
    }),
    `acc:${status}:${page}`,
  );
  return (
    <>
      <PageTitle title="Risk acceptances" />
      <form class="filters" aria-label="Filter risk acceptances" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="acc-status">Status</label>
          <select
            id="acc-status"
            value={status}
            onChange={(e) => setQuery({ status: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </form>
      <Show l={l}>
        {({ list, projects }) => (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">What and where</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Requested</th>
                  <th scope="col">Expires</th>
                </tr>
              </thead>
              <tbody>
                {list.items.length === 0 && (
                  <tr>
                    <td colSpan={5}>No risk acceptance{status ? ` with status ${status}` : ''}.</td>
                  </tr>
                )}
                {list.items.slice(0, LIMIT).map((a) => (
                  <tr key={a.id}>
                    <td>
                      <Status status={a.status} />
                    </td>
                    <td>
                      <a href={href('acceptances', a.id)}>{scopeText(a, projects)}</a>
                    </td>
                    <td class="wrap">{a.reason}</td>
                    <td>
                      <When at={a.requestedAt} />
                    </td>
                    <td>
                      <When at={a.expiresAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              total={list.items.length > LIMIT ? undefined : (page - 1) * LIMIT + list.items.length}
              limit={LIMIT}
              offset={(page - 1) * LIMIT}
            />
          </>
        )}
      </Show>
    </>
  );
}

export function AcceptancePage({ id }: { id: string }) {
  const me = useMe();
  const l = useLoad(
    async () => ({
      a: await get<Acceptance>(href('acceptances', id)),
      projects: new Map((await get<Page<Project>>('/projects')).items.map((p) => [p.id, p.name])),
    }),
    `acceptance:${id}`,
  );
  return (
    <Show l={l}>
      {({ a, projects }) => {
        const requester = a.history?.find((h) => h.action.endsWith('requested'))?.actor ?? a.requestedBy;
        const decider = a.history?.find((h) => /approved|rejected/.test(h.action))?.actor ?? a.decidedBy;
        const isRequester = a.requestedBy === me.id;
        const project = a.projectId ? projects.get(a.projectId) : undefined;
        return (
          <>
            <PageTitle title={`Risk acceptance ${a.id.slice(0, 8)}`}>
              <p>
                <Status status={a.status} />
              </p>
            </PageTitle>
            <dl class="facts">
              <dt>Covers</dt>
              <dd>{scopeText(a, projects)}</dd>
              {a.vulnerabilityId && (
                <>
                  <dt>Vulnerability</dt>
                  <dd>
                    <a href={href('vulnerabilities', a.vulnerabilityId)}>{a.vulnerabilityId}</a>
                    {project && (
                      <>
                        {' '}
                        ·{' '}
                        <a
                          href={`${href('projects', project)}/findings?vulnerability=${encodeURIComponent(a.vulnerabilityId)}`}
                        >
                          its findings in {project}
                        </a>
                      </>
                    )}
                  </dd>
                </>
              )}
              <dt>Reason</dt>
              <dd>{a.reason}</dd>
              <dt>Requested</dt>
              <dd>
                by <strong>{requester}</strong> on <When at={a.requestedAt} time />
              </dd>
              <dt>Expires</dt>
              <dd>
                <When at={a.expiresAt} />
              </dd>
              {a.decidedAt && (
                <>
                  <dt>Decision</dt>
                  <dd>
                    {a.status} by <strong>{decider}</strong> on <When at={a.decidedAt} time />
                    {a.decisionComment && <>: {a.decisionComment}</>}
                  </dd>
                </>
              )}
            </dl>
            {a.status === 'requested' &&
              can.approve(me) &&
              (isRequester ? (
                <p class="notice" role="note" id="four-eyes">
                  You requested this acceptance, so someone else with the security role must approve or reject
                  it (four-eyes rule).
                </p>
              ) : (
                <section aria-labelledby="decide-h" class="actions">
                  <h2 id="decide-h">Decide</h2>
                  <DecisionForm acceptance={a} onDone={l.reload} />
                </section>
              ))}
            {a.status === 'requested' && !can.approve(me) && (
              <p class="muted">Waiting for approval by a user with the security role.</p>
            )}
            <section aria-labelledby="ahist-h">
              <h2 id="ahist-h">History</h2>
              <History entries={a.history ?? []} />
            </section>
          </>
        );
      }}
    </Show>
  );
}
