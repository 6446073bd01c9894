/**
 * Test support for the fuzz suites: what every Fleet HTTP answer must be, whatever was sent. No
 * 5xx (a malformed request is the client's fault, never the server's), and every error a JSON
 * `{ code, message }` with a code of the one closed set and the status that code has.
 */
import { errorCodes, isErrorCode } from '../error-codes.ts';

/** Why an answer is not clear, or undefined when it is. `allow5xx` lists 5xx codes a test expects (e.g. a stopped target). */
export function unclearAnswer(
  status: number | undefined,
  body: string,
  options: { allow5xx?: readonly number[]; headers?: Readonly<Record<string, string | string[] | undefined>> } = {},
): string | undefined {
  if (status === undefined) return `no HTTP answer (received ${JSON.stringify(body.slice(0, 100))})`;
  if (status >= 500 && !(options.allow5xx ?? []).includes(status)) return `answered ${status}: ${body.slice(0, 200)}`;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if ([value].flat().some((v) => v !== undefined && /[\r\n]/.test(v))) return `header ${name} holds a line break`;
  }
  if (status < 400) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return `answered ${status} with a body that is not JSON: ${body.slice(0, 200)}`;
  }
  const { code, message } = (parsed ?? {}) as { code?: unknown; message?: unknown };
  if (!isErrorCode(code)) return `answered ${status} with code ${JSON.stringify(code)}, not one of the closed set`;
  if (errorCodes[code] !== status) return `answered ${status} with code ${code}, whose status is ${errorCodes[code]}`;
  if (typeof message !== 'string' || message.trim() === '') return `answered ${status} ${code} without a message`;
  return undefined;
}
