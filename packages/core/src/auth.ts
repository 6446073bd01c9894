/**
 * Users and roles. Fleet is one organisation: every signed-in user sees every device; the user
 * pool group decides what a user may change. A user in no group (anyone who signed up by
 * themselves) has the least role, viewer: on a deployed stack self sign-up is open to the world.
 * The first user of a fresh stack becomes admin (the API Service decides, see its first-admin.ts);
 * admins invite users with a role and promote or demote them. The API Service and the Data
 * Service both judge a token with `effectiveRole` and `can`, so the two cannot disagree.
 */
export const roles = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const userPoolGroups: readonly { readonly name: Role; readonly description: string; readonly precedence: number }[] = [
  { name: 'admin', description: 'Manages users and every device', precedence: 1 },
  { name: 'operator', description: 'Registers, revokes and commands devices', precedence: 2 },
  { name: 'viewer', description: 'Reads devices and telemetry', precedence: 3 },
];

/** Cognito password policy, enforced by the user pool in AWS and by the local stand-in. */
export const passwordPolicy = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: false,
  temporaryPasswordValidityDays: 3,
} as const;

/**
 * The same policy in the shape of Cognito's API and of CloudFormation's `AWS::Cognito::UserPool`
 * (`Policies.PasswordPolicy`), which name the fields alike.
 */
export const cognitoPasswordPolicy = {
  MinimumLength: passwordPolicy.minimumLength,
  RequireLowercase: passwordPolicy.requireLowercase,
  RequireUppercase: passwordPolicy.requireUppercase,
  RequireNumbers: passwordPolicy.requireNumbers,
  RequireSymbols: passwordPolicy.requireSymbols,
  TemporaryPasswordValidityDays: passwordPolicy.temporaryPasswordValidityDays,
} as const;

/** Token lifetimes of the app client (Cognito's defaults are 60 min / 30 days). */
export const tokenValidity = { accessTokenMinutes: 60, idTokenMinutes: 60, refreshTokenDays: 30 } as const;

/** The role of a user in no role group: the least one. */
export const leastRole: Role = 'viewer';

/** Whether a name is one of the role groups. */
export function isRole(name: unknown): name is Role {
  return typeof name === 'string' && (roles as readonly string[]).includes(name);
}

/** The role with most rights among a user's groups (lower precedence wins, as in Cognito); viewer without one. */
export function effectiveRole(groups: readonly string[]): Role {
  const member = userPoolGroups.filter((g) => groups.includes(g.name)).sort((a, b) => a.precedence - b.precedence);
  return member[0]?.name ?? leastRole;
}

/** What each role may do; checked by the API Service and the Data Service. */
export const permissions = {
  readDevices: ['admin', 'operator', 'viewer'],
  manageDevices: ['admin', 'operator'],
  manageUsers: ['admin'],
  /** Dead letters: list them (operators look into rejected readings) and replay them (admins). */
  readDeadLetters: ['admin', 'operator'],
  replayDeadLetters: ['admin'],
  /** Alarms: everyone sees them and their feed; operators define, acknowledge and clear them. */
  readAlarms: ['admin', 'operator', 'viewer'],
  manageAlarms: ['admin', 'operator'],
  /** Topic rules users define (the platform's own stay read-only) and the notification channels. */
  readRules: ['admin', 'operator'],
  manageRules: ['admin'],
  manageNotifications: ['admin'],
  /** The data's life: volumes, cost and retention are seen by operators; exports and imports are theirs; retention and archive replays are admins'. */
  readDataUsage: ['admin', 'operator'],
  manageRetention: ['admin'],
  exportData: ['admin', 'operator'],
  importData: ['admin', 'operator'],
  replayArchive: ['admin'],
  /** Metric display settings (label, unit, decimals): everyone reads them, operators and admins change them. */
  manageMetricSettings: ['admin', 'operator'],
  /** Dashboards: every role keeps its own and reads shared ones; only the owner or an admin changes one (`editAnyDashboard`). */
  keepDashboards: ['admin', 'operator', 'viewer'],
  editAnyDashboard: ['admin'],
  /** Thing groups: add devices to them (groups carry retention overrides and command targets). */
  manageDeviceGroups: ['admin', 'operator'],
  /** The audit trail (who did what) and the revoked devices' records: admins only. */
  readAudit: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role, permission: Permission): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}

/** Everything a role may do (the web app shows only the actions a user may take). */
export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(permissions) as Permission[]).filter((p) => can(role, p));
}
