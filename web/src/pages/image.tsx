/**
 * One image: summary, layers (the instruction and what each added), vulnerabilities grouped by package
 * with the upgrade that fixes them, packages, scan history, comparison with another scan, downloads.
 * Tabs are links (`?tab=layers`), so each view has its own address.
 */
import { useState } from 'preact/hooks';
import { API, can, get, type Finding, type Image, type Page, type ProjectDetail, type Scan } from '../api';
import {
  compare,
  countBySeverity,
  groupByPackage,
  layersOf,
  registerIndex,
  type ReportFinding,
  type Sbom,
} from '../data';
import { Counts, Kev, PageTitle, SeverityBadge, Show, StateBadge, When, formatBytes, shortDigest, useLoad } from '../components/ui';
import { href, setQuery, useLocation } from '../router';
import { useMe } from '../session';

const TABS = [
  ['layers', 'Layers'],
  ['vulnerabilities', 'Vulnerabilities'],
  ['packages', 'Packages'],
  ['history', 'Scan history'],
  ['compare', 'Compare'],
  ['downloads', 'Downloads'],
] as const;
type Tab = (typeof TABS)[number][0];

interface ScanDoc {
  scan: Scan;
  sbom: Sbom;
  findings: ReportFinding[];
}

async function loadScan(project: string, scanId: string): Promise<ScanDoc> {
  const base = href('projects', project, 'scans', scanId);
  const [scan, sbom] = await Promise.all([
    get<Scan & { reportFindings: ReportFinding[] }>(base),
    get<Sbom>(`${base}/sbom`),
  ]);
  return { scan, sbom, findings: scan.reportFindings };
}

export function ImagePage({ project, image }: { project: string; image: string }) {
  const me = useMe();
  const { query } = useLocation();
  const tab = (TABS.find(([t]) => t === query.get('tab'))?.[0] ?? 'layers') as Tab;
  const l = useLoad(async () => {
    const [p, images, scans] = await Promise.all([
      get<ProjectDetail>(href('projects', project)),
      get<Page<Image>>(`${href('projects', project)}/images`),
      get<Page<Scan>>(`${href('projects', project)}/scans`, { image, limit: 100 }),
    ]);
    const img = images.items.find((i) => i.id === image);
    if (!img) throw new Error(`no image ${image} in project ${project}`);
    const doc = img.lastScanId ? await loadScan(project, img.lastScanId) : undefined;
    const register = await get<Page<Finding>>(`${href('projects', project)}/findings`, {
      repository: img.repository,
      limit: 1000,
    });
    return { p, img, images: images.items, scans: scans.items, doc, register: register.items };
  }, `image:${project}:${image}`);

  return (
    <Show l={l}>
      {({ p, img, images, scans, doc, register }) => {
        const img0 = doc?.sbom.source.image;
        const platform = img0?.platform ? [img0.platform.os, img0.platform.architecture, img0.platform.variant].filter(Boolean).join('/') : '—';
        const size = img0?.layers?.reduce((n, x) => n + (x.size || 0), 0);
        const fixable = doc?.findings.filter((f) => f.fixedVersion).length ?? 0;
        return (
          <>
            <PageTitle title={`${img.repository}:${img.tag}`}>
              <p class="crumbs">
                <a href={href('projects', project)}>{project}</a> › image · environment <strong>{img.environment}</strong>
              </p>
            </PageTitle>
            <dl class="facts summary-grid" aria-label="Image summary">
              <dt>Digest</dt>
              <dd>
                <code title={img.digest ?? ''}>{shortDigest(img.digest)}</code>
              </dd>
              <dt>Platform</dt>
              <dd>{platform}</dd>
              <dt>OS</dt>
              <dd>{doc?.sbom.distro?.prettyName ?? doc?.sbom.distro?.id ?? '—'}</dd>
              <dt>Base image</dt>
              <dd>{img0?.layers?.[0]?.createdBy ? <code>{img0.layers[0].createdBy.slice(0, 60)}</code> : '—'}</dd>
              <dt>Size (layers)</dt>
              <dd>{size ? formatBytes(size) : '—'}</dd>
              <dt>Created</dt>
              <dd>
                <When at={img0?.created} time />
              </dd>
              <dt>Packages</dt>
              <dd>{doc?.sbom.packages.length ?? 0}</dd>
              <dt>Vulnerabilities</dt>
              <dd>
                <Counts counts={countBySeverity(doc?.findings ?? [])} /> · {fixable} fixable
              </dd>
              <dt>Last scan</dt>
              <dd>
                <When at={img.lastScanAt} time />
              </dd>
            </dl>
            <nav class="tabs" aria-label="Image views">
              {TABS.map(([t, label]) => (
                <a key={t} href={`?tab=${t}`} aria-current={t === tab ? 'page' : undefined}>
                  {label}
                </a>
              ))}
            </nav>
            {!doc ? (
              <p>This image has no scan yet.</p>
            ) : (
              <section class="tab-panel" aria-label={TABS.find(([t]) => t === tab)![1]}>
                {tab === 'layers' && <Layers doc={doc} />}
                {tab === 'vulnerabilities' && (
                  <Vulnerabilities project={project} doc={doc} register={register} mayTriage={can.triage(me, p.id)} />
                )}
                {tab === 'packages' && <Packages doc={doc} />}
                {tab === 'history' && <History scans={scans} />}
                {tab === 'compare' && <Compare project={project} doc={doc} images={images} img={img} />}
                {tab === 'downloads' && <Downloads project={project} img={img} scan={doc.scan} />}
              </section>
            )}
          </>
        );
      }}
    </Show>
  );
}

function Layers({ doc }: { doc: ScanDoc }) {
  const layers = layersOf(doc.sbom, doc.findings);
  return (
    <ol class="layers">
      {layers.map((l) => (
        <li key={l.index} class="layer" id={`layer-${l.index}`}>
          <details open={l.findings.length > 0}>
            <summary>
              <span class="layer-no">Layer {l.index + 1}</span> <code class="instr">{l.createdBy || '(no history entry)'}</code>
              <span class="layer-meta">
                {l.packages.length} package{l.packages.length === 1 ? '' : 's'} added · <Counts counts={countBySeverity(l.findings)} />
                {l.size ? ` · ${formatBytes(l.size)}` : ''}
              </span>
            </summary>
            {l.packages.length > 0 && (
              <p class="small">
                <strong>Added:</strong>{' '}
                {l.packages
                  .slice(0, 40)
                  .map((p) => `${p.name} ${p.version}`)
                  .join(', ')}
                {l.packages.length > 40 ? `, and ${l.packages.length - 40} more` : ''}
              </p>
            )}
            {l.findings.length > 0 && (
              <table class="compact">
                <caption>Findings in the packages this layer added</caption>
                <thead>
                  <tr>
                    <th scope="col">Vulnerability</th>
                    <th scope="col">Severity</th>
                    <th scope="col">Package</th>
                    <th scope="col">Fixed in</th>
                  </tr>
                </thead>
                <tbody>
                  {l.findings.map((f) => (
                    <tr key={`${f.vulnerabilityId}-${f.package.id}`}>
                      <td>
                        <a href={href('vulnerabilities', f.vulnerabilityId)}>{f.vulnerabilityId}</a>
                      </td>
                      <td>
                        <SeverityBadge severity={f.severity} />
                      </td>
                      <td>
                        {f.package.name} {f.package.version}
                      </td>
                      <td>{f.fixedVersion ?? <span class="muted">no fix</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </details>
        </li>
      ))}
    </ol>
  );
}

function Vulnerabilities({
  project,
  doc,
  register,
  mayTriage,
}: {
  project: string;
  doc: ScanDoc;
  register: Finding[];
  mayTriage: boolean;
}) {
  const groups = groupByPackage(doc.findings);
  const find = registerIndex(register);
  if (!groups.length) return <p>No vulnerabilities found in this image's packages.</p>;
  return (
    <>
      <p class="muted">
        {doc.findings.length} vulnerabilities in {groups.length} packages.{' '}
        {mayTriage ? 'Open a finding to triage it or request a risk acceptance.' : ''}
      </p>
      {groups.map((g) => (
        <section key={g.key} class="pkg-group" aria-labelledby={`g-${g.key}`}>
          <h3 id={`g-${g.key}`}>
            {g.name} <span class="muted">{g.version}</span> <span class="badge">{g.type}</span>
            {g.layer !== undefined && (
              <a class="small" href={`?tab=layers#layer-${g.layer}`}>
                {' '}
                layer {g.layer + 1}
              </a>
            )}
          </h3>
          {g.upgradeTo ? (
            <p class="fix">
              Upgrade {g.name} to <strong>{g.upgradeTo}</strong>: fixes {g.fixable} of {g.findings.length}
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
              {g.findings.map((f) => {
                const r = find(f);
                return (
                  <tr key={f.vulnerabilityId}>
                    <td>
                      <a href={href('vulnerabilities', f.vulnerabilityId)}>{f.vulnerabilityId}</a> <Kev kev={!!f.kev} />
                    </td>
                    <td>
                      <SeverityBadge severity={f.severity} /> {f.cvss?.score !== undefined && <span class="small">{f.cvss.score}</span>}
                    </td>
                    <td>{f.fixedVersion ?? <span class="muted">no fix</span>}</td>
                    <td>
                      {r ? (
                        <a href={href('projects', project, 'findings', r.id)} aria-label={`Finding ${f.vulnerabilityId} in ${g.name}: ${r.state}`}>
                          <StateBadge state={r.state} />
                        </a>
                      ) : (
                        <span class="muted">—</span>
                      )}
                    </td>
                    <td class="wrap small">{f.summary ?? ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}

const PKG_PAGE = 100;

function Packages({ doc }: { doc: ScanDoc }) {
  const [q, setQ] = useState('');
  const [shown, setShown] = useState(PKG_PAGE);
  const needle = q.trim().toLowerCase();
  const list = doc.sbom.packages.filter(
    (p) => !needle || p.name.toLowerCase().includes(needle) || (p.licenses ?? []).join(' ').toLowerCase().includes(needle),
  );
  return (
    <>
      <div class="field inline">
        <label for="pkg-q">Filter packages (name or licence)</label>
        <input id="pkg-q" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </div>
      <p class="muted" aria-live="polite">
        {list.length} of {doc.sbom.packages.length} packages
      </p>
      <table class="compact">
        <thead>
          <tr>
            <th scope="col">Package</th>
            <th scope="col">Version</th>
            <th scope="col">Type</th>
            <th scope="col">Licences</th>
            <th scope="col">Layer</th>
          </tr>
        </thead>
        <tbody>
          {list.slice(0, shown).map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td>
              <td>{p.version}</td>
              <td>{p.type}</td>
              <td class="wrap">{(p.licenses ?? []).join(', ') || <span class="muted">—</span>}</td>
              <td>{p.layer ? p.layer.index + 1 : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.length > shown && (
        <button type="button" onClick={() => setShown(shown + PKG_PAGE)}>
          Show {Math.min(PKG_PAGE, list.length - shown)} more
        </button>
      )}
    </>
  );
}

function History({ scans }: { scans: Scan[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Digest</th>
          <th scope="col">Kind</th>
          <th scope="col">Packages</th>
          <th scope="col">Findings</th>
          <th scope="col">By</th>
          <th scope="col">
            <span class="sr-only">Compare</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {scans.map((s) => (
          <tr key={s.id}>
            <td>
              <When at={s.createdAt} time />
            </td>
            <td>
              <code>{shortDigest(s.digest)}</code>
            </td>
            <td>{s.kind}</td>
            <td>{s.packages}</td>
            <td>
              <Counts counts={s.bySeverity} />
            </td>
            <td>{s.createdBy}</td>
            <td>
              <a href={`?tab=compare&with=${encodeURIComponent(s.id)}`} aria-label={`Compare with the scan of ${s.createdAt}`}>
                compare
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Compare({ project, doc, images, img }: { project: string; doc: ScanDoc; images: Image[]; img: Image }) {
  const { query } = useLocation();
  const withId = query.get('with') ?? '';
  const others = images.filter((i) => i.lastScanId && i.id !== img.id);
  const other = useLoad(async () => (withId ? loadScan(project, withId) : undefined), `cmp:${withId}`);
  return (
    <>
      <div class="field inline">
        <label for="cmp-with">Compare this image ({img.tag}) with</label>
        <select id="cmp-with" value={withId} onChange={(e) => setQuery({ with: e.currentTarget.value })}>
          <option value="">choose an image or scan…</option>
          {others.map((i) => (
            <option key={i.id} value={i.lastScanId!}>
              {i.repository}:{i.tag} ({i.environment})
            </option>
          ))}
          {withId && !others.some((i) => i.lastScanId === withId) && <option value={withId}>scan {withId.slice(0, 8)}</option>}
        </select>
      </div>
      {withId && (
        <Show l={other}>
          {(o) => {
            if (!o) return null;
            const c = compare(o, doc);
            return (
              <div class="compare">
                <p>
                  From <code>{o.scan.repository}</code> (<When at={o.scan.createdAt} />) to this image:{' '}
                  <strong>{c.added.length}</strong> packages added, <strong>{c.removed.length}</strong> removed,{' '}
                  <strong>{c.changed.length}</strong> changed; <strong>{c.vulnsAdded.length}</strong> vulnerabilities added,{' '}
                  <strong>{c.vulnsRemoved.length}</strong> removed.
                </p>
                <h3>Vulnerabilities added</h3>
                <VulnList list={c.vulnsAdded} />
                <h3>Vulnerabilities removed</h3>
                <VulnList list={c.vulnsRemoved} />
                <h3>Packages changed</h3>
                <ul class="cols">
                  {c.changed.map((p) => (
                    <li key={`${p.type}/${p.name}`}>
                      {p.name} {p.from} → {p.to}
                    </li>
                  ))}
                </ul>
                <h3>Packages added</h3>
                <ul class="cols">
                  {c.added.map((p) => (
                    <li key={p.id}>
                      {p.name} {p.version}
                    </li>
                  ))}
                </ul>
                <h3>Packages removed</h3>
                <ul class="cols">
                  {c.removed.map((p) => (
                    <li key={p.id}>
                      {p.name} {p.version}
                    </li>
                  ))}
                </ul>
              </div>
            );
          }}
        </Show>
      )}
    </>
  );
}

function VulnList({ list }: { list: ReportFinding[] }) {
  if (!list.length) return <p class="muted">none</p>;
  return (
    <ul>
      {list.map((f) => (
        <li key={`${f.vulnerabilityId}-${f.package.id}`}>
          <SeverityBadge severity={f.severity} /> <a href={href('vulnerabilities', f.vulnerabilityId)}>{f.vulnerabilityId}</a> in {f.package.name}{' '}
          {f.package.version}
        </li>
      ))}
    </ul>
  );
}

function Downloads({ project, img, scan }: { project: string; img: Image; scan: Scan }) {
  const scanBase = `${API}${href('projects', project, 'scans', scan.id)}`;
  const name = img.repository.replace(/[^A-Za-z0-9._-]+/g, '_');
  return (
    <ul class="downloads">
      <li>
        <a href={`${scanBase}/sbom`} download={`${name}-${img.tag}.sbom.json`}>
          SBOM (Bulwark JSON)
        </a>{' '}
        — every package with its layer; convert with <code>bulwark sbom sbom://FILE -f cyclonedx-json</code> or{' '}
        <code>-f spdx-json</code>
      </li>
      <li>
        <a href={scanBase} download={`${name}-${img.tag}.scan.json`}>
          Scan findings (JSON)
        </a>
      </li>
      <li>
        <a href={`${API}${href('projects', project, 'images', img.id)}/vex`} download={`${name}-${img.tag}.openvex.json`}>
          VEX (OpenVEX)
        </a>{' '}
        — the register's decisions, for <code>bulwark scan --vex</code>
      </li>
    </ul>
  );
}
