import { useState, type FormEvent } from 'react';
import type { Auth, Session } from '../auth.ts';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function SignInPage(props: { auth: Auth; navigate: (to: string) => void; onSignedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(await props.auth.signIn(email, password));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card">
      <h2>Sign in</h2>
      <form onSubmit={submit}>
        <input
          name="email"
          type="email"
          placeholder="Email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <input
          name="password"
          type="password"
          placeholder="Password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <p className="muted">
        No account?{' '}
        <a
          href="/signup"
          onClick={(e) => {
            e.preventDefault();
            props.navigate('/signup');
          }}
        >
          Sign up
        </a>
      </p>
    </div>
  );
}

export function SignUpPage(props: { auth: Auth; navigate: (to: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'details' | 'confirm'>('details');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  if (step === 'confirm') {
    return (
      <div className="card">
        <h2>Confirm your email</h2>
        <p className="muted">Enter the code sent to {email}. (Running locally, the code is in the `npm start` output.)</p>
        <form
          onSubmit={run(async () => {
            await props.auth.confirm(email, code.trim());
            props.navigate('/signin');
          })}
        >
          <input name="code" placeholder="Confirmation code" value={code} onChange={(e) => setCode(e.target.value)} required />
          <button type="submit" disabled={busy}>
            Confirm
          </button>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
        </form>
      </div>
    );
  }
  return (
    <div className="card">
      <h2>Create an account</h2>
      <form
        onSubmit={run(async () => {
          await props.auth.signUp(email, password);
          setStep('confirm');
        })}
      >
        <input
          name="email"
          type="email"
          placeholder="Email"
          autoComplete="username"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          required
        />
        <input
          name="password"
          type="password"
          placeholder="Password (12+ chars, upper, lower, digit)"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <button type="submit" disabled={busy}>
          Sign up
        </button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <p className="muted">
        Have an account?{' '}
        <a
          href="/signin"
          onClick={(e) => {
            e.preventDefault();
            props.navigate('/signin');
          }}
        >
          Sign in
        </a>
      </p>
    </div>
  );
}
