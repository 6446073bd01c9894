/** What every form of the app shares: one submission at a time, its error shown, links that navigate in place. */
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice } from './error-notice.tsx';

/** Wraps an async form action: prevents the page reload, disables the button while busy, keeps the error. */
export function useSubmit() {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = (action: () => Promise<void>) => async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run };
}

export function FormError(props: { error: unknown }) {
  return <ErrorNotice error={props.error} />;
}

export function TextField(props: {
  name: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
  type?: string;
  autoComplete?: string;
  required?: boolean;
}) {
  return (
    <input
      name={props.name}
      type={props.type ?? 'text'}
      placeholder={props.placeholder}
      autoComplete={props.autoComplete}
      value={props.value}
      onChange={(e) => props.onChange(e.target.value)}
      required={props.required ?? true}
    />
  );
}

/** An anchor that changes the route without a page load. */
/** A link the app follows itself; a modified click (new tab, new window) is left to the browser. */
export function RouteLink(props: { to: string; navigate: (to: string) => void; children: ReactNode; current?: boolean }) {
  return (
    <a
      href={props.to}
      {...(props.current ? { 'aria-current': 'page' as const } : {})}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        props.navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
