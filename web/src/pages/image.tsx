/**
 * One image: summary and grade, layers (the instruction and what each added), vulnerabilities grouped by
 * package with the upgrade that fixes them, packages, scan history, comparison with another tag, digest
 * or scan, downloads. Tabs are links (`?tab=layers`), so each view has its own address; `?scan=` shows an
 * older scan.
 */
import { useState } from 'preact/hooks';
import {
  API,
  get,
  withQuery,
  type Image,
  type ImageComparison,
  type ImageOverview,
  type ImagePackage,
  type ImageScan,
  type ImageVulnGroup,
  type ImageVulns,
  type LayerSummary,
  type Page,
  type VulnChange,
} from '../api';
import {
  Counts,
  GradeBadge,
  Kev,
  PageTitle,
  Pager,
  SeverityBadge,
  Show,
  StateBadge,
  When,
  formatBytes,
  shortDigest,
  useLoad,
} from '../components/ui';
import { href, setQuery, useLocation } from '../router';

const TABS = [
  ['layers', 'Layers'],
  ['vulnerabilities', 'Vulnerabilities'],
  ['packages', 'Packages'],
  ['history', 'Scan history'],
  ['compare', 'Compare'],
  ['downloads', 'Downloads'],
] as const;
type Tab = (typeof TABS)[number][0];

const base = (project: string, image: string): string => href('projects', project, 'images', image);

export function ImagePage({ project, image }: { project: string; image: string }) {
  const { query } = useLocation();
  const tab = (TABS.find(([t]) => t === query.get('tab'))?.[0] ?? 'layers') as Tab;
  const scan = query.get('scan') ?? undefined;
  const l = useLoad(
    () => get<ImageOverview>(`${base(project, image)}/overview`, { scan }),
    `img:${project}:${image}:${scan}`,
  );
  const tabHref = (t: Tab): string => withQuery('', { tab: t, scan }) || '?';

  return (
    <Show l={l}>
      {(o) => {
        const s = o.summary;
        const open = Object.values(s.findings).reduce((n, v) => n + (v ?? 0), 0);
        return (
          <>
            <PageTitle title={`${o.image.repository}:${o.image.tag}`}>
              <p class="crumbs">
                <a href={href('projects', project)}>{project}</a> › image · environment{' '}
                <strong>{o.image.environment}</strong>
                {!o.scan.isLatest && (
                  <>
                    {' '}
                    · showing an older scan (<When at={o.scan.createdAt} time />) —{' '}
                    <a href={withQuery(base(project, image), { tab })}>newest</a>
                  </>
                )}
              </p>
            </PageTitle>
            <div class="image-head">
              <div class="grade-box">
                <GradeBadge grade={o.grade.grade} large />
                <ul class="small">
                  {o.grade.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </div>
              <dl class="facts summary-grid" aria-label="Image summary">
                <dt>Digest</dt>
                <dd>
                  <code title={o.image.digest ?? ''}>{shortDigest(o.image.digest)}</code>
                </dd>
                <dt>Platform</dt>
                <dd>{s.platform ?? '—'}</dd>
                <dt>OS</dt>
                <dd>{s.os ?? '—'}</dd>
                <dt>Base image</dt>
                <dd class="wrap">
                  {s.baseImage?.name ?? <span class="muted">not detected</span>}
                  {s.baseImage && <span class="muted small"> ({s.baseImage.layers} layers)</span>}
                </dd>
                <dt>Size</dt>
                <dd>{s.size ? formatBytes(s.size) : <span class="muted">not recorded</span>}</dd>
                <dt>Created</dt>
                <dd>
                  <When at={s.created} time />
                </dd>
                <dt>Packages</dt>
                <dd>{s.packages}</dd>
                <dt>Vulnerabilities</dt>
                <dd>
                  {open === 0 ? 'none' : <Counts counts={s.findings} />} · {s.fixable} fixable
                  {s.kev > 0 && <> · {s.kev} in KEV</>}
                </dd>
                <dt>Scanned</dt>
                <dd>
                  <When at={o.scan.createdAt} time /> by {o.scan.createdBy}
                </dd>
              </dl>
            </div>
            {o.secrets.length > 0 && (
              <section aria-labelledby="secrets-h" class="secrets">
                <h2 id="secrets-h">Secrets in the layers ({o.secrets.length})</h2>
                <ul>
                  {o.secrets.map((x) => (
                    <li key={x.secret.fingerprint + x.path}>
                      <SeverityBadge severity={x.severity} /> {x.title} in <code>{x.path}</code>
                      {x.layer !== null && <> (layer {x.layer + 1})</>}
                      {x.status && x.status !== 'present' && <> — {x.status}</>}:{' '}
                      <code>{x.secret.preview}…</code> ({x.secret.length} characters)
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <nav class="tabs" aria-label="Image views">
              {TABS.map(([t, label]) => (
                <a key={t} href={tabHref(t)} aria-current={t === tab ? 'page' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
            <section class="tab-panel" aria-label={TABS.find(([t]) => t === tab)![1]}>
              {tab === 'layers' && (
                <Layers project={project} image={image} scan={o.scan.id} layers={o.layers} />
              )}
              {tab === 'vulnerabilities' && (
                <Vulnerabilities project={project} image={image} scan={o.scan.id} />
              )}
              {tab === 'packages' && <Packages project={project} image={image} scan={o.scan.id} />}
              {tab === 'history' && <History project={project} image={image} />}
              {tab === 'compare' && <Compare project={project} image={image} o={o} />}
              {tab === 'downloads' && <Downloads project={project} image={image} scan={o.scan.id} />}
            </section>
          </>
        );
      }}
    </Show>
  );
}

function VulnRows({ project, groups }: { project: string; groups: ImageVulnGroup[] }) {
  return (
    <>
      {groups.flatMap((g) =>
        g.vulnerabilities.map((v) => (
          <tr key={`${g.package.id}-${v.vulnerabilityId}`}>
            <td>
              <a href={href('vulnerabilities', v.vulnerabilityId)}>{v.vulnerabilityId}</a> <Kev kev={v.kev} />
            </td>
            <td>
              <SeverityBadge severity={v.severity} />
            </td>
            <td>
              {g.package.name} {g.package.version}
            </td>
            <td>{v.fixedVersion ?? <span class="muted">no fix</span>}</td>
            <td>
              {v.finding ? (
                <a
                  href={href('projects', project, 'findings', v.finding.id)}
                  aria-label={`Finding ${v.vulnerabilityId} in ${g.package.name}: ${v.finding.state}`}
                >
                  <StateBadge state={v.finding.state} />
                </a>
              ) : (
                <span class="muted">—</span>
              )}
            </td>
          </tr>
        )),
      )}
    </>
  );
}

function Layers({
  project,
  image,
  scan,
  layers,
}: {
  project: string;
  image: string;
  scan: string;
  layers: LayerSummary[];
}) {
  const vulns = useLoad(
    () => get<ImageVulns>(`${base(project, image)}/vulnerabilities`, { scan, limit: 1000 }),
    `lv:${scan}`,
  );
  return (
    <ol class="layers">
      {layers.map((l) => (
        <li key={l.index} class="layer" id={`layer-${l.index}`} data-layer={l.index}>
          <details open={l.findings.total > 0 && !l.fromBaseImage}>
            <summary>
              <span class="layer-no">Layer {l.index + 1}</span>
              {l.fromBaseImage && <span class="badge">base image</span>}
              <code class="instr">{l.createdBy ?? '(no history entry)'}</code>
              <span class="layer-meta">
                {l.packages} package{l.packages === 1 ? '' : 's'} added · {l.findings.total} finding
                {l.findings.total === 1 ? '' : 's'} <Counts counts={l.findings} />
                {l.secrets > 0 && (
                  <>
                    {' '}
                    · {l.secrets} secret{l.secrets === 1 ? '' : 's'}
                  </>
                )}
                {l.size ? ` · ${formatBytes(l.size)}` : ''}
              </span>
            </summary>
            <LayerPackages project={project} image={image} scan={scan} layer={l.index} count={l.packages} />
            {l.findings.total > 0 && (
              <Show l={vulns}>
                {(v) => {
                  const groups = v.items.filter((g) => g.package.layer === l.index);
                  return (
                    <table class="compact layer-findings">
                      <caption>Findings in the packages layer {l.index + 1} added</caption>
                      <thead>
                        <tr>
                          <th scope="col">Vulnerability</th>
                          <th scope="col">Severity</th>
                          <th scope="col">Package</th>
                          <th scope="col">Fixed in</th>
                          <th scope="col">State</th>
                        </tr>
                      </thead>
                      <tbody>
                        <VulnRows project={project} groups={groups} />
                      </tbody>
                    </table>
                  );
                }}
              </Show>
            )}
          </details>
        </li>
      ))}
    </ol>
  );
}

function LayerPackages({
  project,
  image,
  scan,
  layer,
  count,
}: {
  project: string;
  image: string;
  scan: string;
  layer: number;
  count: number;
}) {
  const l = useLoad(
    async () =>
      count
        ? get<Page<ImagePackage>>(`${base(project, image)}/packages`, { scan, layer, limit: 60 })
        : { items: [], total: 0 },
    `lp:${scan}:${layer}`,
  );
  if (!count) return null;
  return (
    <Show l={l}>
      {(p) => (
        <p class="small layer-packages">
          <strong>Added:</strong> {p.items.map((x) => `${x.name} ${x.version}`).join(', ')}
          {(p.total ?? 0) > p.items.length && (
            <>
              , and{' '}
              <a href={withQuery('', { tab: 'packages', layer })}>{(p.total ?? 0) - p.items.length} more</a>
            </>
          )}
        </p>
      )}
    </Show>
  );
}

const VULN_LIMIT = 50;

function Vulnerabilities({ project, image, scan }: { project: string; image: string; scan: string }) {
  const { query } = useLocation();
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const severity = query.get('severity') ?? '';
  const fixable = query.get('fixable') ?? '';
  const q = query.get('q') ?? '';
  const l = useLoad(
    () =>
      get<ImageVulns>(`${base(project, image)}/vulnerabilities`, {
        scan,
        severity,
        fixable,
        q,
        limit: VULN_LIMIT,
        offset: (page - 1) * VULN_LIMIT,
      }),
    JSON.stringify([scan, severity, fixable, q, page]),
  );
  return (
    <>
      <form class="filters" aria-label="Filter vulnerabilities" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="iv-q">Package or vulnerability id</label>
          <input
            id="iv-q"
            type="search"
            value={q}
            onChange={(e) => setQuery({ q: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="iv-sev">Severity</label>
          <select
            id="iv-sev"
            value={severity}
            onChange={(e) => setQuery({ severity: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="critical,high">critical or high</option>
            <option value="critical">critical</option>
            <option value="high">high</option>
            <option value="medium">medium</option>
            <option value="low">low</option>
          </select>
        </div>
        <div class="field">
          <label for="iv-fix">Fix</label>
          <select
            id="iv-fix"
            value={fixable}
            onChange={(e) => setQuery({ fixable: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="true">fixable</option>
            <option value="false">no fix yet</option>
          </select>
        </div>
      </form>
      <Show l={l}>
        {(v) => (
          <>
            {v.upgrades.length > 0 && (
              <section aria-labelledby="upg-h" class="upgrades">
                <h3 id="upg-h">Upgrades that fix the most</h3>
                <ul class="plain">
                  {v.upgrades.map((u) => (
                    <li key={`${u.type}/${u.package}/${u.from}`}>
                      Upgrade <strong>{u.package}</strong> {u.from} → <strong>{u.to}</strong>: fixes {u.fixes}
                    </li>
                  ))}
                </ul>
              </section>
            )}
            <p class="muted">
              {v.findings} vulnerabilities in {v.total} packages.
            </p>
            {v.items.map((g) => (
              <section key={g.package.id} class="pkg-group" aria-labelledby={`g-${g.package.id}`}>
                <h3 id={`g-${g.package.id}`}>
                  {g.package.name} <span class="muted">{g.package.version}</span>{' '}
                  <span class="badge">{g.package.type}</span>
                  {g.package.layer !== null && (
                    <a class="small" href={withQuery('', { tab: 'layers' }) + `#layer-${g.package.layer}`}>
                      {' '}
                      layer {g.package.layer + 1}
                    </a>
                  )}
                </h3>
                {g.upgrade ? (
                  <p class="fix">
                    Upgrade {g.package.name} to <strong>{g.upgrade.to}</strong>: fixes {g.upgrade.fixes} of{' '}
                    {g.vulnerabilities.length}
                  </p>
                ) : (
                  <p class="muted">No fixed version published yet.</p>
                )}
                <table class="compact">
                  <thead>
                    <tr>
                      <th scope="col">Vulnerability</th>
                      <th scope="col">Severity</th>
                      <th scope="col">Fixed in</th>
                      <th scope="col">State</th>
                      <th scope="col">Summary</th>
                    </tr>
                  </thead>
                  <tbody>
                    {g.vulnerabilities.map((x) => (
                      <tr key={x.vulnerabilityId}>
                        <td>
                          <a href={href('vulnerabilities', x.vulnerabilityId)}>{x.vulnerabilityId}</a>{' '}
                          <Kev kev={x.kev} />
                          {x.suppressed && <span class="badge">suppressed</span>}
                        </td>
                        <td>
                          <SeverityBadge severity={x.severity} />{' '}
                          {x.cvssScore !== null && <span class="small">{x.cvssScore}</span>}
                        </td>
                        <td>{x.fixedVersion ?? <span class="muted">no fix</span>}</td>
                        <td>
                          {x.finding ? (
                            <a
                              href={href('projects', project, 'findings', x.finding.id)}
                              aria-label={`Finding ${x.vulnerabilityId} in ${g.package.name}: ${x.finding.state}`}
                            >
                              <StateBadge state={x.finding.state} />
                            </a>
                          ) : (
                            <span class="muted">—</span>
                          )}
                        </td>
                        <td class="wrap small">{x.summary ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            ))}
            <Pager total={v.total} limit={VULN_LIMIT} offset={(page - 1) * VULN_LIMIT} />
          </>
        )}
      </Show>
    </>
  );
}

const PKG_LIMIT = 100;

function Packages({ project, image, scan }: { project: string; image: string; scan: string }) {
  const { query } = useLocation();
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const q = query.get('q') ?? '';
  const license = query.get('license') ?? '';
  const type = query.get('type') ?? '';
  const layer = query.get('layer') ?? '';
  const l = useLoad(
    () =>
      get<Page<ImagePackage> & { types: string[] }>(`${base(project, image)}/packages`, {
        scan,
        q,
        license,
        type,
        layer,
        limit: PKG_LIMIT,
        offset: (page - 1) * PKG_LIMIT,
      }),
    JSON.stringify([scan, q, license, type, layer, page]),
  );
  return (
    <>
      <form class="filters" aria-label="Filter packages" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="pk-q">Name or PURL</label>
          <input
            id="pk-q"
            type="search"
            value={q}
            onChange={(e) => setQuery({ q: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="pk-lic">Licence</label>
          <input
            id="pk-lic"
            value={license}
            onChange={(e) => setQuery({ license: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="pk-type">Type</label>
          <select
            id="pk-type"
            value={type}
            onChange={(e) => setQuery({ type: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            {(l.data?.types ?? []).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        {layer && (
          <p>
            Layer {Number(layer) + 1} only.{' '}
            <button
              type="button"
              class="ghost"
              onClick={() => setQuery({ layer: undefined, page: undefined })}
            >
              Show every layer
            </button>
          </p>
        )}
      </form>
      <Show l={l}>
        {(p) => (
          <>
            <table class="compact">
              <caption class="sr-only">Packages, {p.total} matching</caption>
              <thead>
                <tr>
                  <th scope="col">Package</th>
                  <th scope="col">Version</th>
                  <th scope="col">Type</th>
                  <th scope="col">Licences</th>
                  <th scope="col">Layer</th>
                  <th scope="col">Vulnerabilities</th>
                </tr>
              </thead>
              <tbody>
                {p.items.map((x) => (
                  <tr key={x.id}>
                    <td>{x.name}</td>
                    <td class="wrap">{x.version}</td>
                    <td>{x.type}</td>
                    <td class="wrap">{x.licenses.join(', ') || <span class="muted">—</span>}</td>
                    <td>{x.layer === null ? '—' : x.layer + 1}</td>
                    <td>
                      {x.findings ? (
                        <>
                          {x.findings.total} (worst <SeverityBadge severity={x.findings.worstSeverity} />)
                        </>
                      ) : (
                        <span class="muted">none</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager total={p.total} limit={PKG_LIMIT} offset={(page - 1) * PKG_LIMIT} />
          </>
        )}
      </Show>
    </>
  );
}

function History({ project, image }: { project: string; image: string }) {
  const l = useLoad(
    () => get<Page<ImageScan>>(`${base(project, image)}/scans`, { limit: 100 }),
    `hist:${image}`,
  );
  return (
    <Show l={l}>
      {(s) => (
        <table>
          <caption class="sr-only">Scans of this image, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Grade</th>
              <th scope="col">Digest</th>
              <th scope="col">Kind</th>
              <th scope="col">Packages</th>
              <th scope="col">Findings</th>
              <th scope="col">By</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {s.items.map((x) => (
              <tr key={x.id}>
                <td>
                  <When at={x.createdAt} time />
                  {x.isLatest && <span class="badge">newest</span>}
                </td>
                <td>{x.grade ? <GradeBadge grade={x.grade} /> : '—'}</td>
                <td>
                  <code>{shortDigest(x.digest)}</code>
                </td>
                <td>{x.kind}</td>
                <td>{x.packages}</td>
                <td>
                  <Counts counts={x.bySeverity} />
                </td>
                <td>{x.createdBy}</td>
                <td>
                  {!x.isLatest && (
                    <>
                      <a href={withQuery('', { tab: 'layers', scan: x.id })}>view</a> ·{' '}
                      <a
                        href={withQuery('', { tab: 'compare', 'with-scan': x.id })}
                        aria-label={`Compare with the scan of ${x.createdAt}`}
                      >
                        compare
                      </a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Show>
  );
}

function Compare({ project, image, o }: { project: string; image: string; o: ImageOverview }) {
  const { query } = useLocation();
  const withScan = query.get('with-scan') ?? '';
  const withTag = query.get('with-tag') ?? '';
  const withDigest = query.get('with-digest') ?? '';
  const [tag, setTag] = useState(withTag);
  const [digest, setDigest] = useState(withDigest);
  const images = useLoad(
    () => get<Page<Image>>(`${href('projects', project)}/images`, { repository: o.image.repository }),
    `cmpimgs:${project}:${o.image.repository}`,
  );
  const named = withScan || withTag || withDigest;
  const l = useLoad(
    async () =>
      named
        ? get<ImageComparison>(`${base(project, image)}/compare`, {
            scan: query.get('scan') ?? undefined,
            'with-scan': withScan,
            'with-tag': withTag,
            'with-digest': withDigest,
          })
        : undefined,
    JSON.stringify([withScan, withTag, withDigest]),
  );
  const tags = (images.data?.items ?? []).filter((i) => i.id !== image).map((i) => i.tag);
  return (
    <>
      <form
        class="filters"
        aria-label="Choose what to compare with"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery({
            'with-tag': tag || undefined,
            'with-digest': tag ? undefined : digest || undefined,
            'with-scan': undefined,
          });
        }}
      >
        <div class="field">
          <label for="cmp-tag">Another tag of {o.image.repository}</label>
          <input
            id="cmp-tag"
            list="cmp-tags"
            value={tag}
            onInput={(e) => setTag(e.currentTarget.value.trim())}
          />
          <datalist id="cmp-tags">
            {[...new Set(tags)].map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </div>
        <div class="field">
          <label for="cmp-digest">or a digest</label>
          <input
            id="cmp-digest"
            value={digest}
            placeholder="sha256:…"
            onInput={(e) => setDigest(e.currentTarget.value.trim())}
          />
        </div>
        <div class="field">
          <button type="submit">Compare</button>
        </div>
      </form>
      {!named && <p class="muted">Pick another tag or digest, or a scan from the scan history.</p>}
      {named && (
        <Show l={l}>
          {(c) =>
            c ? (
              <div class="compare">
                <p>
                  From the scan of <When at={c.base.createdAt} time /> (
                  <code>{shortDigest(c.base.digest)}</code>) to this one:{' '}
                  <strong>{c.packages.added.length}</strong> packages added,{' '}
                  <strong>{c.packages.removed.length}</strong> removed,{' '}
                  <strong>{c.packages.changed.length}</strong> changed ({c.packages.unchanged} unchanged);{' '}
                  <strong>{c.vulnerabilities.added.length}</strong> vulnerabilities added,{' '}
                  <strong>{c.vulnerabilities.removed.length}</strong> removed.
                </p>
                <h3>Vulnerabilities added</h3>
                <VulnChanges list={c.vulnerabilities.added} />
                <h3>Vulnerabilities removed</h3>
                <VulnChanges list={c.vulnerabilities.removed} />
                <h3>Packages changed</h3>
                <PkgChanges list={c.packages.changed} />
                <h3>Packages added</h3>
                <PkgChanges list={c.packages.added} />
                <h3>Packages removed</h3>
                <PkgChanges list={c.packages.removed} />
              </div>
            ) : null
          }
        </Show>
      )}
    </>
  );
}

function PkgChanges({ list }: { list: ImageComparison['packages']['added'] }) {
  if (!list.length) return <p class="muted">none</p>;
  return (
    <ul class="cols">
      {list.map((p) => (
        <li key={`${p.type}/${p.name}`}>
          {p.name} {p.before.join(', ')}
          {p.before.length && p.after.length ? ' → ' : ''}
          {p.after.join(', ')} <span class="muted small">({p.type})</span>
        </li>
      ))}
    </ul>
  );
}

function VulnChanges({ list }: { list: VulnChange[] }) {
  if (!list.length) return <p class="muted">none</p>;
  return (
    <ul>
      {list.map((f) => (
        <li key={`${f.vulnerabilityId}-${f.type}-${f.package}`}>
          <SeverityBadge severity={f.severity} />{' '}
          <a href={href('vulnerabilities', f.vulnerabilityId)}>{f.vulnerabilityId}</a> in {f.package}{' '}
          {f.version}
        </li>
      ))}
    </ul>
  );
}

const DOWNLOADS: [string, string, string][] = [
  ['sbom-json', 'SBOM — Bulwark JSON', 'every package with its layer'],
  ['cyclonedx-json', 'SBOM — CycloneDX 1.6 JSON', ''],
  ['spdx-json', 'SBOM — SPDX 2.3 JSON', ''],
  ['scan-json', 'Scan report — JSON', 'as bulwark scan -f json writes it'],
  ['sarif', 'Scan report — SARIF 2.1.0', 'for code-scanning tools'],
  ['html', 'Scan report — HTML', 'a self-contained, offline report'],
  ['cyclonedx-vex', 'Vulnerabilities — CycloneDX (VEX)', ''],
  ['openvex', "The register's decisions — OpenVEX", 'for bulwark scan --vex'],
];

function Downloads({ project, image, scan }: { project: string; image: string; scan: string }) {
  return (
    <ul class="downloads">
      {DOWNLOADS.map(([format, label, note]) => (
        <li key={format}>
          <a href={withQuery(`${API}${base(project, image)}/download`, { format, scan })} download>
            {label}
          </a>
          {note && <span class="muted"> — {note}</span>}
        </li>
      ))}
    </ul>
  );
}
