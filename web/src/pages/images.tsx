/** Every image the user can see: filters, sort and pagination in the URL, answered by the server. */
import { get, SEVERITIES, type Page, type Project } from '../api';
import { Counts, PageTitle, Pager, SortHeader, Show, When, shortDigest, useLoad } from '../components/ui';
import { loadImageList, type ImageRow } from '../lists';
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
    sort: query.get('sort') ?? '-risk',
  };
  const projects = useLoad(() => get<Page<Project>>('/projects'), 'projects');
  const l = useLoad(() => loadImageList({ ...f, limit: LIMIT, offset: (page - 1) * LIMIT }), JSON.stringify([f, page]));
  return (
    <>
      <PageTitle title="Images" />
      <form class="filters" aria-label="Filter images" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="img-q">Repository contains</label>
          <input
            id="img-q"
            type="search"
            value={f.q}
            onChange={(e) => setQuery({ q: e.currentTarget.value.trim(), page: undefined })}
          />
        </div>
        <div class="field">
          <label for="img-project">Project</label>
          <select id="img-project" value={f.project} onChange={(e) => setQuery({ project: e.currentTarget.value, page: undefined })}>
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
          <select id="img-sev" value={f.severity} onChange={(e) => setQuery({ severity: e.currentTarget.value, page: undefined })}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </form>
      <Show l={l}>
        {(list) => (
          <>
            <table class="images">
              <caption class="sr-only">Images, {list.total} matching</caption>
              <thead>
                <tr>
                  <SortHeader label="Repository" col="repository" sort={f.sort} />
                  <th scope="col">Tag</th>
                  <th scope="col">Project</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Digest</th>
                  <SortHeader label="Findings (open, by severity)" col="risk" sort={f.sort} defaultDesc />
                  <SortHeader label="Last scan" col="scanned" sort={f.sort} defaultDesc />
                </tr>
              </thead>
              <tbody>
                {list.items.length === 0 && (
                  <tr>
                    <td colSpan={7}>No image matches these filters.</td>
                  </tr>
                )}
                {list.items.map((i: ImageRow) => (
                  <tr key={i.id}>
                    <td>
                      <a href={href('projects', i.project, 'images', i.id)}>{i.repository}</a>
                    </td>
                    <td>{i.tag}</td>
                    <td>
                      <a href={href('projects', i.project)}>{i.project}</a>
                    </td>
                    <td>{i.environment}</td>
                    <td>
                      <code>{shortDigest(i.digest)}</code>
                    </td>
                    <td>
                      <Counts counts={i.counts} />
                    </td>
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
