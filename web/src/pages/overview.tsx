/** The organisation at a glance: open findings, trend, KEV, SLA, the riskiest images, recent findings. */
import { SeverityTrend } from '../components/chart';
import { Counts, PageTitle, SeverityBadge, Show, When, useLoad } from '../components/ui';
import { loadOverview } from '../lists';
import { href } from '../router';

function Tile({ label, value, link, tone }: { label: string; value: string | number; link?: string; tone?: string }) {
  const body = (
    <>
      <span class="tile-value">{value}</span>
      <span class="tile-label">{label}</span>
    </>
  );
  return <li class={`tile ${tone ?? ''}`}>{link ? <a href={link}>{body}</a> : body}</li>;
}

export function OverviewPage() {
  const l = useLoad(loadOverview, 'overview');
  return (
    <>
      <PageTitle title="Overview" />
      <Show l={l}>
        {(o) => {
          const openTotal = Object.values(o.open).reduce((n, v) => n + (v ?? 0), 0);
          return (
            <>
              <ul class="tiles" aria-label="Key figures">
                <Tile label="open findings" value={openTotal.toLocaleString()} />
                <Tile label="critical open" value={o.open.critical ?? 0} tone={(o.open.critical ?? 0) > 0 ? 'bad' : ''} />
                <Tile label="in CISA KEV (open)" value={o.kevOpen} tone={o.kevOpen > 0 ? 'bad' : ''} />
                <Tile
                  label="fixable (open)"
                  value={o.fixableShare === undefined ? '—' : `${Math.round(o.fixableShare * 100)} %`}
                />
                <Tile label="past their SLA" value={o.overdue.total} tone={o.overdue.total > 0 ? 'warn' : ''} />
                <Tile label="acceptances awaiting approval" value={o.pendingAcceptances} link="/acceptances?status=requested" />
              </ul>
              <section aria-labelledby="trend-h">
                <h2 id="trend-h">Findings by severity over time</h2>
                <SeverityTrend points={o.trend} />
              </section>
              <div class="two-col">
                <section aria-labelledby="riskiest-h">
                  <h2 id="riskiest-h">Images with the most risk</h2>
                  {o.riskiest.length === 0 ? (
                    <p class="muted">No image scanned yet.</p>
                  ) : (
                    <ol class="plain">
                      {o.riskiest.map((i) => (
                        <li key={i.id}>
                          <a href={href('projects', i.project, 'images', i.id)}>
                            {i.repository}:{i.tag}
                          </a>{' '}
                          <span class="muted">({i.environment})</span> <Counts counts={i.counts} />
                        </li>
                      ))}
                    </ol>
                  )}
                </section>
                <section aria-labelledby="projects-h">
                  <h2 id="projects-h">Projects</h2>
                  <ul class="plain">
                    {o.projects.map((p) => (
                      <li key={p.id}>
                        <a href={href('projects', p.name)}>{p.name}</a> <Counts counts={p.openFindings} />
                      </li>
                    ))}
                  </ul>
                </section>
              </div>
              <div class="two-col">
                <section aria-labelledby="overdue-h">
                  <h2 id="overdue-h">Overdue</h2>
                  {o.overdue.items.length === 0 ? (
                    <p class="muted">Nothing is past its SLA.</p>
                  ) : (
                    <ul class="plain">
                      {o.overdue.items.map((f) => (
                        <li key={f.id}>
                          <SeverityBadge severity={f.severity} />{' '}
                          <a href={href('projects', f.project ?? '', 'findings', f.id)}>{f.vulnerabilityId}</a> in {f.package.name} — due{' '}
                          <When at={f.slaDueAt} />
                        </li>
                      ))}
                    </ul>
                  )}
                </section>
                <section aria-labelledby="recent-h">
                  <h2 id="recent-h">Recent critical and high findings</h2>
                  {o.recent.length === 0 ? (
                    <p class="muted">None.</p>
                  ) : (
                    <ul class="plain">
                      {o.recent.map((f) => (
                        <li key={f.id}>
                          <SeverityBadge severity={f.severity} />{' '}
                          <a href={href('vulnerabilities', f.vulnerabilityId)}>{f.vulnerabilityId}</a> in {f.package.name} ({f.repository}) —{' '}
                          <When at={f.firstSeenAt} />
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
