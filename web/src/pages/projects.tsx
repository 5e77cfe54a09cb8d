/** Projects: the list, and one project with its members, open findings and images. */
import { get, type Image, type Page, type Project, type ProjectDetail } from '../api';
import { Counts, PageTitle, Show, When, shortDigest, useLoad } from '../components/ui';
import { href } from '../router';
import { useMe } from '../session';
import { MembersEditor } from './admin';

export function ProjectsPage() {
  const l = useLoad(async () => {
    const { items } = await get<Page<Project>>('/projects');
    const details = await Promise.all(items.map((p) => get<ProjectDetail>(href('projects', p.name))));
    return details;
  }, 'projects');
  return (
    <>
      <PageTitle title="Projects" />
      <Show l={l}>
        {(projects) =>
          projects.length === 0 ? (
            <p>No project you can see yet. An admin creates projects (POST /api/v1/projects).</p>
          ) : (
            <table>
              <caption class="sr-only">Projects and their open findings</caption>
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col">Description</th>
                  <th scope="col">Members</th>
                  <th scope="col">Open findings by severity</th>
                </tr>
              </thead>
              <tbody>
                {projects.map((p) => (
                  <tr key={p.id}>
                    <td>
                      <a href={href('projects', p.name)}>{p.name}</a>
                    </td>
                    <td>{p.description || <span class="muted">—</span>}</td>
                    <td>{p.members.length}</td>
                    <td>
                      <Counts counts={p.openFindings} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Show>
    </>
  );
}

export function ProjectPage({ project }: { project: string }) {
  const me = useMe();
  const l = useLoad(
    async () => ({
      p: await get<ProjectDetail>(href('projects', project)),
      images: (await get<Page<Image>>(`${href('projects', project)}/images`)).items,
    }),
    `project:${project}`,
  );
  return (
    <>
      <PageTitle title={`Project ${project}`}>
        <p>
          <a href={`${href('projects', project)}/findings`}>All findings of {project}</a>
        </p>
      </PageTitle>
      <Show l={l}>
        {({ p, images }) => (
          <>
            {p.description && <p>{p.description}</p>}
            {(me.role === 'admin' || p.members.some((m) => m.username === me.username && m.owner)) && (
              <p>
                <a href={`${href('projects', project)}/webhooks`}>Webhooks of {project}</a>
              </p>
            )}
            <section aria-labelledby="open-h">
              <h2 id="open-h">Open findings</h2>
              <Counts counts={p.openFindings} />
            </section>
            <section aria-labelledby="images-h">
              <h2 id="images-h">Images</h2>
              {images.length === 0 ? (
                <p>No image pushed yet (bulwark scan … --push).</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Repository</th>
                      <th scope="col">Tag</th>
                      <th scope="col">Environment</th>
                      <th scope="col">Digest</th>
                      <th scope="col">Last scan</th>
                    </tr>
                  </thead>
                  <tbody>
                    {images.map((i) => (
                      <tr key={i.id}>
                        <td>
                          <a href={href('projects', project, 'images', i.id)}>{i.repository}</a>
                        </td>
                        <td>{i.tag}</td>
                        <td>{i.environment}</td>
                        <td>
                          <code>{shortDigest(i.digest)}</code>
                        </td>
                        <td>
                          <When at={i.lastScanAt} time />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section aria-labelledby="members-h">
              <h2 id="members-h">Members</h2>
              {me.role === 'admin' ? (
                <MembersEditor project={project} members={p.members} onChange={l.reload} />
              ) : (
                <ul>
                  {p.members.map((m) => (
                    <li key={m.username}>
                      {m.username} ({m.role}
                      {m.owner ? ', owner' : ''})
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </>
        )}
      </Show>
    </>
  );
}
