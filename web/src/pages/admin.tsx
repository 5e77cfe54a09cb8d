/** Admin pages: the audit log with its chain status, API tokens, users and project memberships. */
import { useState } from 'preact/hooks';
import {
  api,
  get,
  messageOf,
  post,
  type AuditEntry,
  type AuditVerify,
  type Page,
  type Role,
  type Token,
  type User,
} from '../api';
import { detailsText } from '../components/history';
import { ErrorBox, Notice, PageTitle, Pager, Show, When, useLoad } from '../components/ui';
import { href, setQuery, useLocation } from '../router';

const LIMIT = 100;
const ROLES: readonly Role[] = ['admin', 'security', 'developer', 'viewer'];

export function AuditPage() {
  const { query } = useLocation();
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const f = {
    actor: query.get('actor') ?? '',
    action: query.get('action') ?? '',
    entityType: query.get('entityType') ?? '',
    entityId: query.get('entityId') ?? '',
  };
  const list = useLoad(
    () => get<Page<AuditEntry>>('/audit', { ...f, limit: LIMIT + 1, offset: (page - 1) * LIMIT }),
    JSON.stringify([f, page]),
  );
  const verify = useLoad(() => get<AuditVerify>('/audit/verify'), 'verify');
  const input = (k: keyof typeof f, label: string, placeholder = '') => (
    <div class="field">
      <label for={`audit-${k}`}>{label}</label>
      <input
        id={`audit-${k}`}
        value={f[k]}
        placeholder={placeholder}
        onChange={(e) => setQuery({ [k]: e.currentTarget.value.trim(), page: undefined })}
      />
    </div>
  );
  return (
    <>
      <PageTitle title="Audit log" />
      <section aria-labelledby="chain-h" class="chain">
        <h2 id="chain-h">Hash chain</h2>
        <Show l={verify}>
          {(v) =>
            v.ok ? (
              <p class="ok" role="status" id="chain-status">
                Verified: {v.rows.toLocaleString()} entries, each linked to the one before.{' '}
                {v.head && (
                  <>
                    Newest hash <code>{v.head}</code> (keep it elsewhere to detect truncation).
                  </>
                )}
              </p>
            ) : (
              <p class="error" role="alert" id="chain-status">
                The chain does not verify at entry {v.firstBad?.seq}: {v.firstBad?.problem}.
              </p>
            )
          }
        </Show>
      </section>
      <form class="filters" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        {input('actor', 'User', 'alice')}
        {input('action', 'Action', 'finding.state')}
        {input('entityType', 'Entity type', 'finding')}
        {input('entityId', 'Entity id')}
      </form>
      <Show l={list}>
        {(l) => (
          <>
            <table class="audit">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Entity</th>
                  <th scope="col">Why and details</th>
                </tr>
              </thead>
              <tbody>
                {l.items.length === 0 && (
                  <tr>
                    <td colSpan={6}>No entry matches.</td>
                  </tr>
                )}
                {l.items.slice(0, LIMIT).map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td>
                      <When at={e.at} time />
                    </td>
                    <td>{e.actor}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      {e.entityType} <code class="muted">{e.entityId.slice(0, 12)}</code>
                    </td>
                    <td class="wrap">
                      {e.reason && <div>{e.reason}</div>}
                      <div class="muted small">{detailsText(e.details)}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              total={l.items.length > LIMIT ? undefined : (page - 1) * LIMIT + l.items.length}
              limit={LIMIT}
              offset={(page - 1) * LIMIT}
            />
          </>
        )}
      </Show>
    </>
  );
}

export function TokensPage() {
  const l = useLoad(() => get<Page<Token>>('/tokens'), 'tokens');
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Token['scope']>('write');
  const [projects, setProjects] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();

  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const list = projects
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const t = await post<Token & { token: string }>('/tokens', {
        name,
        scope,
        ...(list.length ? { projects: list } : {}),
        ...(expires ? { expiresAt: expires } : {}),
      });
      setCreated(t.token);
      setName('');
      l.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const revoke = async (t: Token): Promise<void> => {
    setError(undefined);
    try {
      await api('DELETE', href('tokens', t.id));
      l.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <>
      <PageTitle title="API tokens" />
      <p>
        Tokens let CI and scripts call the API as you, narrowed to a scope and optionally to some projects.
      </p>
      <ErrorBox message={error} />
      {created && (
        <div class="notice" role="status">
          New token (shown only now; copy it): <code class="secret">{created}</code>
        </div>
      )}
      <form class="action-form" onSubmit={(e) => void create(e)} aria-label="Create an API token">
        <div class="row">
          <div class="field">
            <label for="tok-name">Name</label>
            <input id="tok-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="tok-scope">Scope</label>
            <select
              id="tok-scope"
              value={scope}
              onChange={(e) => setScope(e.currentTarget.value as Token['scope'])}
            >
              <option value="read">read</option>
              <option value="write">write</option>
              <option value="admin">admin</option>
            </select>
          </div>
          <div class="field">
            <label for="tok-projects">Projects (comma-separated, empty: all yours)</label>
            <input id="tok-projects" value={projects} onInput={(e) => setProjects(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="tok-expires">Expires (optional)</label>
            <input
              id="tok-expires"
              type="date"
              value={expires}
              onInput={(e) => setExpires(e.currentTarget.value)}
            />
          </div>
        </div>
        <button type="submit" class="primary">
          Create token
        </button>
      </form>
      <Show l={l}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Scope</th>
                <th scope="col">Projects</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.length === 0 && (
                <tr>
                  <td colSpan={7}>No token yet.</td>
                </tr>
              )}
              {list.items.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.scope}</td>
                  <td>{t.projects ? t.projects.length : 'all'}</td>
                  <td>
                    <When at={t.createdAt} />
                  </td>
                  <td>
                    <When at={t.lastUsedAt} time />
                  </td>
                  <td>
                    <When at={t.expiresAt} />
                  </td>
                  <td>
                    {t.revokedAt ? (
                      <span class="muted">revoked</span>
                    ) : (
                      <button
                        type="button"
                        class="danger"
                        onClick={() => void revoke(t)}
                        aria-label={`Revoke token ${t.name}`}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}

export function UsersPage() {
  const l = useLoad(() => get<Page<User>>('/users'), 'users');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  const create = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      await post('/users', { username, password, role });
      setDone(`User ${username} created.`);
      setUsername('');
      setPassword('');
      l.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const update = async (u: User, change: { role?: Role; disabled?: boolean }): Promise<void> => {
    setError(undefined);
    try {
      await api('PATCH', href('users', u.username), change);
      setDone(`User ${u.username} updated.`);
      l.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <>
      <PageTitle title="Users" />
      <ErrorBox message={error} />
      <Notice message={done} />
      <form class="action-form" onSubmit={(e) => void create(e)} aria-label="Create a user">
        <div class="row">
          <div class="field">
            <label for="user-name">User name</label>
            <input
              id="user-name"
              required
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="user-password">Password (at least 12 characters)</label>
            <input
              id="user-password"
              type="password"
              autoComplete="new-password"
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label for="user-role">Role</label>
            <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        </div>
        <button type="submit" class="primary">
          Create user
        </button>
      </form>
      <Show l={l}>
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((u) => (
                <tr key={u.id}>
                  <td>{u.username}</td>
                  <td>
                    <label class="sr-only" for={`role-${u.id}`}>
                      Role of {u.username}
                    </label>
                    <select
                      id={`role-${u.id}`}
                      value={u.role}
                      onChange={(e) => void update(u, { role: e.currentTarget.value as Role })}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {r}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {u.disabled ? 'disabled' : 'active'}{' '}
                    <button
                      type="button"
                      class="ghost"
                      onClick={() => void update(u, { disabled: !u.disabled })}
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                      <span class="sr-only"> {u.username}</span>
                    </button>
                  </td>
                  <td>
                    <When at={u.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Show>
    </>
  );
}

/** A project's members with add/remove (admins). */
export function MembersEditor({
  project,
  members,
  onChange,
}: {
  project: string;
  members: { username: string; role: Role; owner: boolean }[];
  onChange: () => void;
}) {
  const [user, setUser] = useState('');
  const [owner, setOwner] = useState(false);
  const [error, setError] = useState<string>();
  const call = async (method: string, username: string, body?: unknown): Promise<void> => {
    setError(undefined);
    try {
      await api(method, href('projects', project, 'members', username), body);
      onChange();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <>
      <ErrorBox message={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Role</th>
            <th scope="col">Owner</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.username}>
              <td>{m.username}</td>
              <td>{m.role}</td>
              <td>{m.owner ? 'yes' : 'no'}</td>
              <td>
                <button
                  type="button"
                  class="danger"
                  onClick={() => void call('DELETE', m.username)}
                  aria-label={`Remove ${m.username}`}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="action-form row"
        aria-label="Add a member"
        onSubmit={(e) => {
          e.preventDefault();
          void call('PUT', user, { owner }).then(() => setUser(''));
        }}
      >
        <div class="field">
          <label for="member-user">User name</label>
          <input id="member-user" required value={user} onInput={(e) => setUser(e.currentTarget.value)} />
        </div>
        <div class="field check">
          <input
            id="member-owner"
            type="checkbox"
            checked={owner}
            onChange={(e) => setOwner(e.currentTarget.checked)}
          />
          <label for="member-owner">Owner</label>
        </div>
        <button type="submit">Add member</button>
      </form>
    </>
  );
}
