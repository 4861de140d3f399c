// Sign in with an API token: checked with the `viewer` query before it is kept (sessionStorage).
import { useState, type FormEvent } from 'react';
import { useT } from '../i18n';
import type { SignInResult } from '../session';

export function SignInPage({ signIn }: { signIn: (token: string) => Promise<SignInResult> }) {
  const t = useT();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    const result = await signIn(token);
    setBusy(false);
    if (!result.ok) setProblem(result.reason === 'refused' ? t('signIn.refused') : t('signIn.failed', { message: result.message }));
  };

  return (
    <main id="main" className="sign-in">
      <h1>{t('app.title')}</h1>
      <form onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">{t('signIn.title')}</h2>
        <label htmlFor="token">{t('signIn.token')}</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} value={token} onChange={(event) => setToken(event.target.value)} aria-describedby="token-help" required />
        <p id="token-help" className="help">
          {t('signIn.help')}
        </p>
        {problem ? (
          <p role="alert" className="error">
            {problem}
          </p>
        ) : null}
        <button type="submit" disabled={busy || !token.trim()}>
          {t('signIn.submit')}
        </button>
      </form>
    </main>
  );
}
