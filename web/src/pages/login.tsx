/** The sign-in page: user name and password, the server's message on failure. */
import { useState } from 'preact/hooks';
import { get, messageOf, post, setCsrfToken, type Me } from '../api';
import { ErrorBox } from '../components/ui';

export function LoginPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  document.title = 'Sign in · Bulwark';

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await post<{ csrfToken: string }>('/auth/login', { username, password });
      setCsrfToken(r.csrfToken);
      onSignedIn(await get<Me>('/me'));
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };

  return (
    <main id="main" class="login">
      <form class="card" onSubmit={(e) => void submit(e)} aria-labelledby="page-title">
        <h1 id="page-title" tabIndex={-1}>
          <img src="/favicon.svg" alt="" width={28} height={28} /> Sign in to Bulwark
        </h1>
        <ErrorBox message={error} />
        <label for="username">User name</label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onInput={(e) => setUsername(e.currentTarget.value)}
        />
        <label for="password">Password</label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
