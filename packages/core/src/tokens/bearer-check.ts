/**
 * Who is calling, judged from the `Authorization` header the same way by the gateway's authorizer,
 * the API Service and the Data Service: a Cognito access token of the pool and app client, then the
 * role its groups give (`effectiveRole`), then the permission a route needs (`can`). The outcome is
 * a value: the caller, or the `{ code, message }` and headers of the 401 / 403 / 503 to answer.
 *
 * Messages never echo the token or the verifier's own text (which quotes token claims): a claim
 * holding a line break once made a `WWW-Authenticate` header invalid and the answer a 500.
 */
import { can, effectiveRole, type Permission, type Role } from '../auth.ts';
import type { ErrorCode } from '../error-codes.ts';
import { JwksUnavailableError, type TokenVerifier } from './token-verifier.ts';

/** The caller of a request whose token was accepted. */
export interface Caller {
  readonly sub: string;
  readonly username: string;
  readonly groups: readonly string[];
  readonly role: Role;
  /** The raw access token, forwarded to services that verify it themselves. */
  readonly accessToken: string;
}

export type BearerCheck =
  | { readonly ok: true; readonly caller: Caller }
  | {
      readonly ok: false;
      readonly code: Extract<ErrorCode, 'Unauthorized' | 'Forbidden' | 'AuthUnavailable'>;
      readonly message: string;
      /** `WWW-Authenticate` on a 401 (RFC 6750 §3). */
      readonly headers: Readonly<Record<string, string>>;
      /** Why the token was refused, for the log only (may quote the token's claims). */
      readonly detail?: string;
      /** On a 403: the verified caller whose role lacks the permission (the audit trail names them). */
      readonly caller?: Caller;
    };

/** RFC 6750 §2.1: `Bearer` and a b64token; a JWT is three base64url parts. */
const bearerHeader = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** What each permission lets a caller do, for the 403 message. */
const actions: Record<Permission, string> = {
  readDevices: 'read devices',
  manageDevices: 'manage devices',
  manageUsers: 'manage users',
  readDeadLetters: 'read dead letters',
  replayDeadLetters: 'replay dead letters',
  readAlarms: 'read alarms',
  manageAlarms: 'manage alarms',
  readRules: 'read rules',
  manageRules: 'manage rules',
  manageNotifications: 'manage notification channels',
  readDataUsage: 'read data volumes and retention',
  manageRetention: 'change retention',
  exportData: 'export data',
  importData: 'import data',
  replayArchive: 'replay the archive',
  manageMetricSettings: 'change metric display settings',
  keepDashboards: 'keep dashboards',
  editAnyDashboard: "change other users' dashboards",
  manageDeviceGroups: 'add devices to thing groups',
  readAudit: 'read the audit trail',
};

// RFC 6750 §3: the challenge of a protected resource; `error` only when a token was presented.
const challenge = (error?: 'invalid_token') => ({
  'WWW-Authenticate': error ? `Bearer realm="fleet", error="${error}"` : 'Bearer realm="fleet"',
});

/** Judges an `Authorization` header; with a permission, also whether the caller's role has it. */
export async function checkBearer(
  verifier: TokenVerifier,
  authorization: string | undefined,
  permission?: Permission,
): Promise<BearerCheck> {
  if (!authorization || !/^Bearer +\S/i.test(authorization)) {
    return { ok: false, code: 'Unauthorized', message: 'Missing bearer token in the Authorization header', headers: challenge() };
  }
  const token = bearerHeader.exec(authorization)?.[1];
  if (!token) {
    return {
      ok: false,
      code: 'Unauthorized',
      message: 'The Authorization header must be "Bearer <access token>"',
      headers: challenge('invalid_token'),
    };
  }
  let verified;
  try {
    verified = await verifier.verifyAccess(token);
  } catch (err) {
    if (err instanceof JwksUnavailableError) {
      return { ok: false, code: 'AuthUnavailable', message: 'Tokens cannot be verified right now', headers: {}, detail: String(err.cause) };
    }
    throw err;
  }
  if (!verified.ok) {
    return {
      ok: false,
      code: 'Unauthorized',
      message: verified.reason === 'expired' ? 'The access token has expired' : 'The access token is invalid',
      headers: challenge('invalid_token'),
      detail: verified.message,
    };
  }
  const { sub, username, groups } = verified.claims;
  const role = effectiveRole(groups);
  const caller = { sub, username, groups, role, accessToken: token };
  if (permission && !can(role, permission)) {
    return { ok: false, code: 'Forbidden', message: `Role "${role}" may not ${actions[permission]}`, headers: {}, caller };
  }
  return { ok: true, caller };
}
