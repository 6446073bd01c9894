/**
 * Users on the wire: the signed-in user (`GET /api/me`), the users of the pool (`/api/users`), a
 * role change, a device access change (device-access.ts) and the live-access grant. The API Service answers them from Cognito; the web app
 * reads them.
 */
import { Type, type Static } from 'typebox';
import { permissions, roles, type Permission, type Role } from './auth.ts';
import { DeviceAccessSchema } from './device-access.ts';

/** Cognito's limits: usernames and group names 1–128 characters, an email at most 254 (RFC 5321). */
const username = Type.String({ maxLength: 128 });
const groups = (description: string) => Type.Array(Type.String({ maxLength: 128 }), { description });

export const RoleSchema = Type.Enum(roles, { description: 'admin, operator or viewer' });
export const PermissionSchema = Type.Enum(Object.keys(permissions) as Permission[], { description: 'Something the role allows' });
// Fail to compile when core's roles or permissions and these schemas drift apart.
const sameRoles: [Role, Static<typeof RoleSchema>] extends [Static<typeof RoleSchema>, Role] ? true : never = true;
const samePermissions: [Permission, Static<typeof PermissionSchema>] extends [Static<typeof PermissionSchema>, Permission] ? true : never =
  true;
void sameRoles;
void samePermissions;

/** GET /api/me: the signed-in user as the user pool knows them now. */
export const SignedInUserSchema = Type.Object({
  username,
  sub: Type.String({ maxLength: 128 }),
  email: Type.Union([Type.String({ maxLength: 254 }), Type.Null()], { description: 'null when the user pool could not be asked' }),
  role: Type.Enum(roles, { description: "The user's role in the user pool now" }),
  groups: groups("The user's groups in the user pool now"),
  tokenRole: Type.Enum(roles, {
    description: 'The role the presented access token carries; when it differs from `role`, refresh the tokens to act with `role`',
  }),
  permissions: Type.Array(PermissionSchema, { maxItems: Object.keys(permissions).length, description: 'What `role` allows' }),
  deviceAccess: DeviceAccessSchema,
  firstAdmin: Type.Optional(
    Type.Literal(true, {
      description: 'This call (or one of the same user at the same moment) made the user the first admin of a fresh stack',
    }),
  ),
});
export type SignedInUser = Static<typeof SignedInUserSchema>;

/** A user of the pool, as GET /api/users lists them and POST /api/users answers an invitation. */
export const PoolUserSchema = Type.Object({
  username,
  sub: Type.Optional(Type.String({ maxLength: 128 })),
  email: Type.Optional(Type.String({ maxLength: 254 })),
  enabled: Type.Boolean(),
  status: Type.Optional(Type.String({ maxLength: 32, description: 'Cognito UserStatus: CONFIRMED, FORCE_CHANGE_PASSWORD (invited), …' })),
  createdAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
  groups: groups("The user's groups"),
  role: RoleSchema,
  deviceAccess: DeviceAccessSchema,
});
export type PoolUser = Static<typeof PoolUserSchema>;

/** Users per page of `GET /api/users` (Cognito's ListUsers answers at most 60). */
export const maxUsersPerPage = 60;

/** `GET /api/users`. */
export const UserPageSchema = Type.Object({
  users: Type.Array(PoolUserSchema, { maxItems: maxUsersPerPage }),
  nextCursor: Type.Optional(Type.String({ maxLength: 2048, description: 'Absent on the last page; pass it as `cursor`' })),
});
export type UserPage = Static<typeof UserPageSchema>;

/** `POST /api/users`: the invited user. */
export const InvitedUserSchema = Type.Object({ user: PoolUserSchema });
export type InvitedUser = Static<typeof InvitedUserSchema>;

/** `PUT /api/users/:username/role`. */
export const RoleChangeSchema = Type.Object({ username, role: RoleSchema, groups: groups("The user's groups after the change") });
export type RoleChange = Static<typeof RoleChangeSchema>;

/** `PUT /api/users/:username/device-access`: the user's access after the change. */
export const DeviceAccessChangeSchema = Type.Object({ username, deviceAccess: DeviceAccessSchema });
export type DeviceAccessChange = Static<typeof DeviceAccessChangeSchema>;

/**
 * `POST /api/me/live-access`: the Cognito identity that may now receive live telemetry, and which:
 * every device's own topic, or the granted groups' live topics (`topics.groupTelemetry`).
 */
export const LiveAccessSchema = Type.Object({
  identityId: Type.String({ maxLength: 55, description: 'Cognito identity id, `<region>:<uuid>`' }),
  access: DeviceAccessSchema,
});
export type LiveAccess = Static<typeof LiveAccessSchema>;
