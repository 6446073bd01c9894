/**
 * How the app shows a failure: the API's code next to its message (`DeviceNotFound: Device "x" is
 * not registered`), so a user can tell apart, and report, what happened; other failures (Cognito,
 * the network) by their message.
 */
import { ApiError } from './api.ts';

/** The code (API errors only) and the message of a failure. */
export function describeError(error: unknown): { readonly code?: string; readonly message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

/** One line of text, for places that show a sentence (`Replay failed: …`). */
export function errorText(error: unknown): string {
  const { code, message } = describeError(error);
  return code ? `${code}: ${message}` : message;
}

/** The failure as an alert; nothing when there is none. `inline` for a table cell. */
export function ErrorNotice(props: { error: unknown; inline?: boolean }) {
  if (props.error === undefined) return null;
  const { code, message } = describeError(props.error);
  const content = (
    <>
      {code && (
        <code className="error-code" data-testid="error-code">
          {code}
        </code>
      )}{' '}
      <span data-testid="error-message">{message}</span>
    </>
  );
  return props.inline ? (
    <span className="error" role="alert">
      {' '}
      {content}
    </span>
  ) : (
    <p className="error" role="alert">
      {content}
    </p>
  );
}
