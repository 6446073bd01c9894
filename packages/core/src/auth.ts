/**
 * Users and roles. Fleet is one organisation: every signed-in user sees every device; the user
 * pool group decides what a user may change. A user in no group acts as an operator, so that a
 * self-signed-up user can register devices (override with the API's DEFAULT_ROLE).
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

/** The role with most rights among a user's groups (lower precedence wins, as in Cognito). */
export function effectiveRole(groups: readonly string[], fallback: Role = 'operator'): Role {
  const member = userPoolGroups.filter((g) => groups.includes(g.name)).sort((a, b) => a.precedence - b.precedence);
  return member[0]?.name ?? fallback;
}

/** What each role may do; checked by the API Service. */
export const permissions = {
  readDevices: ['admin', 'operator', 'viewer'],
  manageDevices: ['admin', 'operator'],
  manageUsers: ['admin'],
  /** Dead letters: list them (operators look into rejected readings) and replay them (admins). */
  readDeadLetters: ['admin', 'operator'],
  replayDeadLetters: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export function can(role: Role, permission: keyof typeof permissions): boolean {
  return (permissions[permission] as readonly Role[]).includes(role);
}
