/**
 * The organisation at a glance (GET /dashboard/overview): open findings, the daily trend by severity,
 * fixable share, KEV exposure, overdue by SLA, grades, the riskiest images and recent critical or KEV
 * findings in deployed images.
 */
import { get, SEVERITIES, type Overview } from '../api';
import { SeverityTrend } from '../components/chart';
import { Counts, GradeBadge, Kev, PageTitle, SeverityBadge, Show, When, useLoad } from '../components/ui';
import { href, setQuery, useLocation } from '../router';

function Tile({
  label,
  value,
  link,
  tone,
}: {
  label: string;
  value: string | number;
  link?: string;
  tone?: string;
}) {
  const body = (
    <>
      <span class="tile-value">{value}</span>
      <span class="tile-label">{label}</span>
    </>
  );
  return <li class={`tile ${tone ?? ''}`}>{link ? <a href={link}>{body}</a> : body}</li>;
}

export function OverviewPage() {
  const { query } = useLocation();
  const days = Number(query.get('days') ?? '30') || 30;
  const l = useLoad(
    () => get<Overview>('/dashboard/overview', { days, top: 8, events: 10 }),
    `overview:${days}`,
  );
  return (
    <>
      <PageTitle title="Overview" />
      <Show l={l}>
        {(o) => {
          const t = o.totals;
          const open = Object.fromEntries(SEVERITIES.map((s) => [s, t.bySeverity[s]?.open ?? 0]));
          return (
            <>
              <ul class="tiles" aria-label="Key figures">
                <Tile label="open findings" value={t.open.toLocaleString()} link="/images" />
                <Tile
                  label="critical open"
                  value={open.critical ?? 0}
                  tone={(open.critical ?? 0) > 0 ? 'bad' : ''}
                />
                <Tile
                  label="in CISA KEV (open)"
                  value={t.kev}
                  tone={t.kev > 0 ? 'bad' : ''}
                  link="/images?kev=true"
                />
                <Tile label="fixable (open)" value={t.open ? `${Math.round(t.fixableShare * 100)} %` : '—'} />
                <Tile label="past their SLA" value={t.overdue} tone={t.overdue > 0 ? 'warn' : ''} />
                <Tile
                  label="images graded D or worse"
                  value={(o.grades.D ?? 0) + (o.grades.E ?? 0) + (o.grades.F ?? 0)}
                  link="/images?grade=D,E,F"
                />
              </ul>
              <section aria-labelledby="trend-h">
                <div class="row between">
                  <h2 id="trend-h">Open findings by severity, last {o.days} days</h2>
                  <div class="field inline">
                    <label for="ov-days">Period</label>
                    <select
                      id="ov-days"
                      value={String(days)}
                      onChange={(e) =>
                        setQuery({ days: e.currentTarget.value === '30' ? undefined : e.currentTarget.value })
                      }
                    >
                      <option value="7">7 days</option>
                      <option value="30">30 days</option>
                      <option value="90">90 days</option>
                      <option value="365">a year</option>
                    </select>
                  </div>
                </div>
                <SeverityTrend points={o.series.map(({ day, ...counts }) => ({ day, counts }))} />
              </section>
              <div class="two-col">
                <section aria-labelledby="riskiest-h">
                  <h2 id="riskiest-h">Images with the most risk</h2>
                  {o.riskiestImages.length === 0 ? (
                    <p class="muted">No image scanned yet.</p>
                  ) : (
                    <ol class="plain">
                      {o.riskiestImages.map((i) => (
                        <li key={i.id}>
                          <GradeBadge grade={i.grade} />{' '}
                          <a href={href('projects', i.project, 'images', i.id)}>
                            {i.repository}:{i.tag}
                          </a>{' '}
                          <span class="muted">({i.environment})</span>{' '}
                          {i.findings && <Counts counts={i.findings} />}
                        </li>
                      ))}
                    </ol>
                  )}
                </section>
                <section aria-labelledby="sev-h">
                  <h2 id="sev-h">Open findings by severity</h2>
                  <table class="compact">
                    <thead>
                      <tr>
                        <th scope="col">Severity</th>
                        <th scope="col">Open</th>
                        <th scope="col">Fixable</th>
                        <th scope="col">KEV</th>
                        <th scope="col">Overdue</th>
                      </tr>
                    </thead>
                    <tbody>
                      {SEVERITIES.map((s) => (
                        <tr key={s}>
                          <td>
                            <SeverityBadge severity={s} />
                          </td>
                          <td>{t.bySeverity[s]?.open ?? 0}</td>
                          <td>{t.bySeverity[s]?.fixable ?? 0}</td>
                          <td>{t.bySeverity[s]?.kev ?? 0}</td>
                          <td>{t.bySeverity[s]?.overdue ?? 0}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              </div>
              <div class="two-col">
                <section aria-labelledby="events-h">
                  <h2 id="events-h">Recent critical and KEV findings</h2>
                  {o.events.length === 0 ? (
                    <p class="muted">None in this period.</p>
                  ) : (
                    <ul class="plain">
                      {o.events.map((e) => (
                        <li key={`${e.findingId}-${e.at}`}>
                          <SeverityBadge severity={e.severity} /> <Kev kev={e.kev} />{' '}
                          <a href={href('projects', e.project, 'findings', e.findingId)}>
                            {e.vulnerabilityId}
                          </a>{' '}
                          in {e.package.name} {e.package.version} — {e.repository}
                          {e.tag && `:${e.tag}`}
                          {e.environment && (
                            <strong class={e.production ? 'prod' : ''}> ({e.environment})</strong>
                          )}{' '}
                          · {e.kind === 'new' ? 'new' : 'reopened'} <When at={e.at} />
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
                <section aria-labelledby="kev-h">
                  <h2 id="kev-h">KEV exposure</h2>
                  {o.kev.length === 0 ? (
                    <p class="muted">
                      No open finding is in CISA's Known Exploited Vulnerabilities catalogue.
                    </p>
                  ) : (
                    <ul class="plain">
                      {o.kev.map((k) => (
                        <li key={k.vulnerabilityId}>
                          <a href={href('vulnerabilities', k.vulnerabilityId)}>{k.vulnerabilityId}</a>:{' '}
                          {k.openFindings} open finding
                          {k.openFindings === 1 ? '' : 's'}
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
              </div>
            </>
          );
        }}
      </Show>
    </>
  );
}
