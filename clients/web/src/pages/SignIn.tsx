import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { Button, TextInput } from 'nhsuk-react-components';
import type { Problem } from '../api/client';
import { useSession } from '../auth/session';
import { ErrorSummaryBox } from '../components/ErrorSummaryBox';
import { problemOf } from '../components/problems';
import { useTitle } from '../components/useTitle';

export function SignIn() {
  const { me, signIn } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  useTitle('Sign in');
  useEffect(() => {
    if (me) navigate(from, { replace: true });
  }, [me, from, navigate]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    try {
      await signIn(String(form.get('email') ?? ''), String(form.get('password') ?? ''));
    } catch (error) {
      const found = problemOf(error);
      setProblem(found && found.status === 401 ? { ...found, detail: 'The email or password is not right.' } : found);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="nhsuk-width-container">
      <main className="nhsuk-main-wrapper" id="maincontent">
        <div className="nhsuk-grid-row">
          <div className="nhsuk-grid-column-one-half">
            <ErrorSummaryBox problem={problem} />
            <h1>Sign in to Involve</h1>
            <p className="nhsuk-body">Stakeholder engagement and the duty to involve.</p>
            <form onSubmit={submit} noValidate>
              <TextInput id="email" name="email" type="email" label="Email address" autoComplete="username" spellCheck={false} />
              <TextInput id="password" name="password" type="password" label="Password" autoComplete="current-password" />
              <Button type="submit" disabled={busy}>
                Sign in
              </Button>
            </form>
          </div>
        </div>
      </main>
    </div>
  );
}
