import { useState } from 'react';
import type { Auth, NewPasswordChallenge, Session } from '../auth.ts';
import { FormError, RouteLink, TextField, useSubmit } from '../form-kit.tsx';

function EmailAndPassword(props: {
  email: string;
  setEmail: (v: string) => void;
  password: string;
  setPassword: (v: string) => void;
  newPassword?: boolean;
}) {
  return (
    <>
      <TextField name="email" type="email" placeholder="Email" autoComplete="username" value={props.email} onChange={props.setEmail} />
      <TextField
        name="password"
        type="password"
        placeholder={props.newPassword ? 'Password (12+ chars, upper, lower, digit)' : 'Password'}
        autoComplete={props.newPassword ? 'new-password' : 'current-password'}
        value={props.password}
        onChange={props.setPassword}
      />
    </>
  );
}

export function SignInPage(props: { auth: Auth; navigate: (to: string) => void; onSignedIn: (s: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<NewPasswordChallenge>();
  const { error, busy, run } = useSubmit();
  if (challenge) return <NewPasswordPage auth={props.auth} challenge={challenge} onSignedIn={props.onSignedIn} />;
  return (
    <div className="card">
      <h2>Sign in</h2>
      <form
        onSubmit={run(async () => {
          const result = await props.auth.signIn(email, password);
          if ('challenge' in result) setChallenge(result);
          else props.onSignedIn(result);
        })}
      >
        <EmailAndPassword email={email} setEmail={setEmail} password={password} setPassword={setPassword} />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <FormError error={error} />
      </form>
      <p className="muted">
        No account?{' '}
        <RouteLink to="/signup" navigate={props.navigate}>
          Sign up
        </RouteLink>
      </p>
    </div>
  );
}

export function SignUpPage(props: { auth: Auth; navigate: (to: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [step, setStep] = useState<'details' | 'confirm'>('details');
  const { error, busy, run } = useSubmit();
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
          <TextField name="code" placeholder="Confirmation code" value={code} onChange={setCode} />
          <button type="submit" disabled={busy}>
            Confirm
          </button>
          <FormError error={error} />
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
        <EmailAndPassword email={email} setEmail={setEmail} password={password} setPassword={setPassword} newPassword />
        <button type="submit" disabled={busy}>
          Sign up
        </button>
        <FormError error={error} />
      </form>
      <p className="muted">
        Have an account?{' '}
        <RouteLink to="/signin" navigate={props.navigate}>
          Sign in
        </RouteLink>
      </p>
    </div>
  );
}

/** An invited user's first sign-in: the temporary password from the invitation is replaced. */
function NewPasswordPage(props: { auth: Auth; challenge: NewPasswordChallenge; onSignedIn: (s: Session) => void }) {
  const [password, setPassword] = useState('');
  const { error, busy, run } = useSubmit();
  return (
    <div className="card">
      <h2>Choose your password</h2>
      <p className="muted">You signed in with the temporary password of your invitation; choose your own to continue.</p>
      <form onSubmit={run(async () => props.onSignedIn(await props.auth.setNewPassword(props.challenge, password)))}>
        <TextField
          name="new-password"
          type="password"
          placeholder="New password (12+ chars, upper, lower, digit)"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
        />
        <button type="submit" disabled={busy}>
          Set password
        </button>
        <FormError error={error} />
      </form>
    </div>
  );
}
