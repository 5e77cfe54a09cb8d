/**
 * Findings of a project: a filtered, server-paginated list with bulk actions, and one finding with its
 * history and the register actions.
 */
import { useState } from 'preact/hooks';
import {
  FINDING_STATES,
  SEVERITIES,
  can,
  get,
  type Acceptance,
  type Finding,
  type FindingDetail,
  type FindingHistory,
  type Image,
  type Page,
  type ProjectDetail,
} from '../api';
import { AcceptanceRequestForm, StateForm } from '../components/actions';
import { StateHistory } from '../components/history';
import { Kev, PageTitle, Pager, SeverityBadge, Show, StateBadge, When, useLoad } from '../components/ui';
import { href, navigate, setQuery, useLocation } from '../router';
import { useMe } from '../session';

const LIMIT = 50;

export function FindingsPage({ project }: { project: string }) {
  const me = useMe();
  const { query } = useLocation();
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const filters = {
    state: query.get('state') ?? '',
    severity: query.get('severity') ?? '',
    repository: query.get('repository') ?? '',
    vulnerability: query.get('vulnerability') ?? '',
    kev: query.get('kev') ?? '',
    overdue: query.get('overdue') ?? '',
    sort: query.get('sort') ?? 'due',
  };
  const key = JSON.stringify({ project, filters, page });
  const l = useLoad(
    async () => ({
      project: await get<ProjectDetail>(href('projects', project)),
      list: await get<Page<Finding>>(`${href('projects', project)}/findings`, {
        ...filters,
        limit: LIMIT,
        offset: (page - 1) * LIMIT,
      }),
    }),
    key,
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const toggle = (id: string): void => {
    const s = new Set(selected);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    setSelected(s);
  };

  return (
    <>
      <PageTitle title={`Findings of ${project}`}>
        <p>
          <a href={href('projects', project)}>Project {project}</a>
        </p>
      </PageTitle>
      <form class="filters" aria-label="Filter findings" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="f-state">State</label>
          <select
            id="f-state"
            value={filters.state}
            onChange={(e) => setQuery({ state: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="new,triaged,fix-planned,reopened">open</option>
            {FINDING_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-sev">Severity</label>
          <select
            id="f-sev"
            value={filters.severity}
            onChange={(e) => setQuery({ severity: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="critical,high">critical or high</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-vuln">Vulnerability id</label>
          <input
            id="f-vuln"
            value={filters.vulnerability}
            placeholder="CVE-…"
            onChange={(e) => setQuery({ vulnerability: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="f-repo">Repository</label>
          <input
            id="f-repo"
            value={filters.repository}
            onChange={(e) => setQuery({ repository: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="f-kev">KEV</label>
          <select
            id="f-kev"
            value={filters.kev}
            onChange={(e) => setQuery({ kev: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="true">in KEV</option>
            <option value="false">not in KEV</option>
          </select>
        </div>
        <div class="field">
          <label for="f-overdue">SLA</label>
          <select
            id="f-overdue"
            value={filters.overdue}
            onChange={(e) => setQuery({ overdue: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="true">overdue</option>
          </select>
        </div>
        <div class="field">
          <label for="f-sort">Sort by</label>
          <select
            id="f-sort"
            value={filters.sort}
            onChange={(e) => setQuery({ sort: e.currentTarget.value, page: undefined })}
          >
            <option value="due">SLA due date</option>
            <option value="first-seen">newest first</option>
          </select>
        </div>
      </form>
      <Show l={l}>
        {({ project: p, list }) => {
          const mayTriage = can.triage(me, p.id);
          const chosen = list.items.filter((f) => selected.has(f.id));
          return (
            <>
              {mayTriage && (
                <section class="bulk" aria-labelledby="bulk-h">
                  <h2 id="bulk-h" class="small-h">
                    Bulk action on {chosen.length} selected finding{chosen.length === 1 ? '' : 's'}
                  </h2>
                  <StateForm
                    project={project}
                    findings={chosen}
                    idPrefix="bulk"
                    onDone={() => {
                      setSelected(new Set());
                      l.reload();
                    }}
                  />
                </section>
              )}
              <table class="findings">
                <caption class="sr-only">Findings, {list.total ?? list.items.length} matching</caption>
                <thead>
                  <tr>
                    {mayTriage && (
                      <th scope="col">
                        <input
                          type="checkbox"
                          aria-label="Select every finding on this page"
                          checked={list.items.length > 0 && chosen.length === list.items.length}
                          onChange={(e) =>
                            setSelected(
                              e.currentTarget.checked ? new Set(list.items.map((f) => f.id)) : new Set(),
                            )
                          }
                        />
                      </th>
                    )}
                    <th scope="col">Vulnerability</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Package</th>
                    <th scope="col">Fix</th>
                    <th scope="col">Repository</th>
                    <th scope="col">State</th>
                    <th scope="col">SLA due</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.length === 0 && (
                    <tr>
                      <td colSpan={8}>No finding matches these filters.</td>
                    </tr>
                  )}
                  {list.items.map((f) => (
                    <tr key={f.id}>
                      {mayTriage && (
                        <td>
                          <input
                            type="checkbox"
                            aria-label={`Select ${f.vulnerabilityId} in ${f.package.name}`}
                            checked={selected.has(f.id)}
                            onChange={() => toggle(f.id)}
                          />
                        </td>
                      )}
                      <td>
                        <a href={href('projects', project, 'findings', f.id)}>{f.vulnerabilityId}</a>{' '}
                        <Kev kev={f.kev} />
                      </td>
                      <td>
                        <SeverityBadge severity={f.severity} />
                      </td>
                      <td>
                        {f.package.name} <span class="muted">{f.package.version}</span>
                      </td>
                      <td>{f.fixedVersion ?? <span class="muted">no fix</span>}</td>
                      <td class="wrap">{f.repository}</td>
                      <td>
                        <StateBadge state={f.state} />
                      </td>
                      <td class={f.overdue ? 'overdue' : ''}>
                        <When at={f.slaDueAt} />
                        {f.overdue ? ' (overdue)' : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager total={list.total} limit={LIMIT} offset={(page - 1) * LIMIT} />
            </>
          );
        }}
      </Show>
    </>
  );
}

export function FindingPage({ project, finding }: { project: string; finding: string }) {
  const me = useMe();
  const [requested, setRequested] = useState<Acceptance>();
  const l = useLoad(
    async () => ({
      p: await get<ProjectDetail>(href('projects', project)),
      f: await get<FindingDetail>(href('projects', project, 'findings', finding)),
      history: await get<FindingHistory>(`${href('projects', project, 'findings', finding)}/history`),
      images: (await get<Page<Image>>(`${href('projects', project)}/images`)).items,
    }),
    `finding:${project}:${finding}`,
  );
  return (
    <Show l={l}>
      {({ p, f, images, history }) => {
        const mayTriage = can.triage(me, p.id);
        return (
          <>
            <PageTitle title={`${f.vulnerabilityId} in ${f.package.name}`}>
              <p class="crumbs">
                <a href={href('projects', project)}>{project}</a> ›{' '}
                <a href={`${href('projects', project)}/findings`}>findings</a> ›{' '}
                <a href={href('vulnerabilities', f.vulnerabilityId)}>vulnerability {f.vulnerabilityId}</a>
              </p>
            </PageTitle>
            <dl class="facts">
              <dt>State</dt>
              <dd>
                <StateBadge state={f.state} />
                {f.stateReason && <span class="muted"> — {f.stateReason}</span>}
                {f.acceptanceId && (
                  <>
                    {' '}
                    (<a href={href('acceptances', f.acceptanceId)}>acceptance</a>)
                  </>
                )}
              </dd>
              <dt>Severity</dt>
              <dd>
                <SeverityBadge severity={f.severity} />{' '}
                {f.cvssScore !== null && <span>CVSS {f.cvssScore}</span>} <Kev kev={f.kev} />
                {f.epss !== null && <span> · EPSS {(f.epss * 100).toFixed(2)} %</span>}
              </dd>
              <dt>Package</dt>
              <dd>
                {f.package.name} {f.package.version} <span class="muted">({f.package.type})</span>
                <br />
                <code class="wrap">{f.package.purl}</code>
                {f.package.location && (
                  <>
                    <br />
                    <span class="muted">found in</span> <code>{f.package.location}</code>
                  </>
                )}
              </dd>
              <dt>Fix</dt>
              <dd>{f.fixedVersion ? `upgrade to ${f.fixedVersion}` : 'no fixed version published'}</dd>
              <dt>Repository</dt>
              <dd>{f.repository}</dd>
              <dt>SLA due</dt>
              <dd class={f.overdue ? 'overdue' : ''}>
                <When at={f.slaDueAt} />
                {f.overdue ? ' (overdue)' : ''}
                {f.plannedFixAt && (
                  <>
                    {' '}
                    · fix planned by <When at={f.plannedFixAt} />
                  </>
                )}
              </dd>
              <dt>Seen</dt>
              <dd>
                first <When at={f.firstSeenAt} time />, last <When at={f.lastSeenAt} time /> ({f.scans.length}{' '}
                scan
                {f.scans.length === 1 ? '' : 's'})
              </dd>
              {f.aliases.length > 0 && (
                <>
                  <dt>Aliases</dt>
                  <dd>{f.aliases.join(', ')}</dd>
                </>
              )}
            </dl>
            {f.summary && <p class="summary">{f.summary}</p>}
            {mayTriage ? (
              <section aria-labelledby="act-h" class="actions">
                <h2 id="act-h">Actions</h2>
                <h3>Change the state</h3>
                <StateForm project={project} findings={[f]} onDone={l.reload} />
                <h3>Request a risk acceptance</h3>
                {requested ? (
                  <p role="status">
                    Requested:{' '}
                    <a href={href('acceptances', requested.id)}>risk acceptance {requested.id.slice(0, 8)}</a>{' '}
                    — it applies once someone with the security role approves it.
                  </p>
                ) : (
                  <AcceptanceRequestForm
                    project={project}
                    repository={f.repository}
                    vulnerabilityId={f.vulnerabilityId}
                    images={images}
                    onDone={(a) => {
                      setRequested(a);
                      l.reload();
                    }}
                  />
                )}
              </section>
            ) : (
              <p class="muted">Your role ({me.role}) can read this finding but not change it.</p>
            )}
            <section aria-labelledby="hist-h">
              <h2 id="hist-h">History</h2>
              <StateHistory items={history.items} />
            </section>
            <p>
              <button
                type="button"
                class="ghost"
                onClick={() => navigate(`${href('projects', project)}/findings`)}
              >
                Back to the findings
              </button>
            </p>
          </>
        );
      }}
    </Show>
  );
}
