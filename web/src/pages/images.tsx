/** Every image the user can see: filters, sort and pagination in the URL, answered by the server. */
import { get, SEVERITIES, type ImageRow, type Page, type Project } from '../api';
import { Counts, GradeBadge, PageTitle, Pager, SortHeader, Show, When, useLoad } from '../components/ui';
import { href, setQuery, useLocation } from '../router';

const LIMIT = 25;

export function ImagesPage() {
  const { query } = useLocation();
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const f = {
    q: query.get('q') ?? '',
    project: query.get('project') ?? '',
    environment: query.get('environment') ?? '',
    severity: query.get('severity') ?? '',
    grade: query.get('grade') ?? '',
    fixable: query.get('fixable') ?? '',
    kev: query.get('kev') ?? '',
    baseImage: query.get('baseImage') ?? '',
    sort: query.get('sort') ?? 'risk',
    order: query.get('order') ?? '',
  };
  const projects = useLoad(() => get<Page<Project>>('/projects'), 'projects');
  const l = useLoad(
    () =>
      get<Page<ImageRow>>('/dashboard/images', {
        ...f,
        limit: LIMIT,
        offset: (page - 1) * LIMIT,
      }),
    JSON.stringify([f, page]),
  );
  return (
    <>
      <PageTitle title="Images" />
      <form class="filters" aria-label="Filter images" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="img-q">Search (repository, tag, digest, project)</label>
          <input
            id="img-q"
            type="search"
            value={f.q}
            onChange={(e) => setQuery({ q: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="img-project">Project</label>
          <select
            id="img-project"
            value={f.project}
            onChange={(e) => setQuery({ project: e.currentTarget.value, page: undefined })}
          >
            <option value="">all</option>
            {(projects.data?.items ?? []).map((p) => (
              <option key={p.id} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="img-env">Environment</label>
          <input
            id="img-env"
            value={f.environment}
            placeholder="production"
            onChange={(e) => setQuery({ environment: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="img-sev">With findings of severity</label>
          <select
            id="img-sev"
            value={f.severity}
            onChange={(e) => setQuery({ severity: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="img-grade">Grade</label>
          <select
            id="img-grade"
            value={f.grade}
            onChange={(e) => setQuery({ grade: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="D,E,F">D or worse</option>
            {['A', 'B', 'C', 'D', 'E', 'F'].map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="img-fix">Fixable findings</label>
          <select
            id="img-fix"
            value={f.fixable}
            onChange={(e) => setQuery({ fixable: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="true">has fixable</option>
            <option value="false">none fixable</option>
          </select>
        </div>
        <div class="field">
          <label for="img-kev">KEV</label>
          <select
            id="img-kev"
            value={f.kev}
            onChange={(e) => setQuery({ kev: e.currentTarget.value, page: undefined })}
          >
            <option value="">any</option>
            <option value="true">has KEV findings</option>
            <option value="false">no KEV findings</option>
          </select>
        </div>
        <div class="field">
          <label for="img-base">Base image contains</label>
          <input
            id="img-base"
            value={f.baseImage}
            placeholder="debian"
            onChange={(e) => setQuery({ baseImage: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
      </form>
      <Show l={l}>
        {(list) => (
          <>
            <table class="images">
              <caption class="sr-only">Images, {list.total} matching</caption>
              <thead>
                <tr>
                  <SortHeader label="Grade" col="risk" sort={f.sort} order={f.order} dflt="desc" />
                  <SortHeader label="Repository" col="name" sort={f.sort} order={f.order} />
                  <th scope="col">Tag</th>
                  <th scope="col">Project</th>
                  <th scope="col">Environment</th>
                  <SortHeader
                    label="Findings by severity"
                    col="critical"
                    sort={f.sort}
                    order={f.order}
                    dflt="desc"
                  />
                  <th scope="col">Fixable</th>
                  <th scope="col">Base image</th>
                  <SortHeader label="Last scan" col="last-scan" sort={f.sort} order={f.order} dflt="desc" />
                </tr>
              </thead>
              <tbody>
                {list.items.length === 0 && (
                  <tr>
                    <td colSpan={9}>No image matches these filters.</td>
                  </tr>
                )}
                {list.items.map((i: ImageRow) => (
                  <tr key={i.id}>
                    <td>
                      <GradeBadge grade={i.grade} />
                    </td>
                    <td>
                      <a href={href('projects', i.project, 'images', i.id)}>{i.repository}</a>
                    </td>
                    <td>{i.tag}</td>
                    <td>
                      <a href={href('projects', i.project)}>{i.project}</a>
                    </td>
                    <td>{i.environment}</td>
                    <td>
                      {i.findings ? (
                        <Counts counts={i.findings} />
                      ) : (
                        <span class="muted">not summarised</span>
                      )}
                    </td>
                    <td>{i.fixable ?? '—'}</td>
                    <td class="wrap small">{i.baseImage ?? <span class="muted">—</span>}</td>
                    <td>
                      <When at={i.lastScanAt} time />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager total={list.total} limit={LIMIT} offset={(page - 1) * LIMIT} />
          </>
        )}
      </Show>
    </>
  );
}
