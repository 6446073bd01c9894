/**
 * The signed-in user, and live access: attaching the user's own browser IoT policy (shaped by their
 * device access, live/browser-policies.ts) to the user's Cognito identity, which AWS requires
 * (besides the identity pool role) before an authenticated identity
 * may use MQTT over WebSocket (https://docs.aws.amazon.com/iot/latest/developerguide/cog-iot-policies.html).
 *
 * GET /api/me answers the role the user has in the pool now, next to the role of the token
 * presented: they differ after a role change (or after this very call made the first user of the
 * stack admin), and the web app then refreshes its tokens to act with the new role.
 */
import { GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import {
  bodyLimits,
  deviceAccessOf,
  effectiveRole,
  errorResponses,
  isRole,
  LiveAccessSchema,
  permissionsOf,
  SignedInUserSchema,
} from '@fleet/core';
import { Type } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import type { TokenVerifier } from '@fleet/core/tokens';
import type { FirstAdmin } from '../auth/first-admin.ts';
import type { ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';
import { bearer, bodyErrors, bodyLimitNote, permissionErrors, StrictObject, tokenErrors } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';
import { poolGroupsOf } from '../users/pool-groups.ts';
import type { BrowserPolicies } from '../live/browser-policies.ts';

export interface MeRoutesDeps {
  readonly authorizer: Authorizer;
  readonly verifier: TokenVerifier;
  readonly firstAdmin: FirstAdmin;
  readonly cognito: ApiClients['cognito'];
  readonly cognitoIdentity: ApiClients['cognitoIdentity'];
  readonly region: string;
  readonly userPoolId: string;
  readonly identityPoolId: string;
  /** Each user's own browser IoT policy, shaped by their device access. */
  readonly browserPolicies: BrowserPolicies;
}

export function registerMeRoutes(app: TypedApp, deps: MeRoutesDeps): void {
  app.get(
    '/api/me',
    {
      onRequest: deps.authorizer.require(),
      schema: {
        tags: ['me'],
        summary: 'The signed-in user, their role and the devices they may reach',
        security: bearer,
        response: { 200: SignedInUserSchema, ...errorResponses(...tokenErrors) },
      },
    },
    async (request) => {
      const caller = authOf(request);
      const known = await groupsNowOf(caller.username);
      // Only a user the pool says is in no role group may claim (not one whose groups could not be read).
      const firstAdmin = known !== undefined && !known.some(isRole) && (await claimFirstAdmin());
      const groups = firstAdmin ? [...(known ?? []), 'admin'] : (known ?? [...caller.groups]);
      const role = effectiveRole(groups);
      return {
        username: caller.username,
        sub: caller.sub,
        email: await emailOf(caller.accessToken),
        role,
        groups,
        tokenRole: caller.role,
        permissions: permissionsOf(role),
        // Like the role: the access in the pool now; the token's follows at its refresh.
        deviceAccess: deviceAccessOf(groups),
        ...(firstAdmin ? { firstAdmin: true as const } : {}),
      };

      // A failure only postpones the claim to the next call; it must not fail the answer.
      async function claimFirstAdmin(): Promise<boolean> {
        try {
          return await deps.firstAdmin.claim(caller);
        } catch (err) {
          request.log.warn({ err }, 'first-admin claim failed; trying again at the next call');
          return false;
        }
      }

      // The token's groups are as old as the token; the pool knows the current ones (undefined: it could not be asked).
      async function groupsNowOf(username: string): Promise<string[] | undefined> {
        try {
          return await poolGroupsOf(deps.cognito, deps.userPoolId, username);
        } catch (err) {
          request.log.warn({ err }, 'AdminListGroupsForUser failed; answering with the groups of the token');
          return undefined;
        }
      }

      // Access tokens carry no email; GetUser answers with the token alone (no IAM permission needed).
      async function emailOf(accessToken: string): Promise<string | null> {
        try {
          const out = await deps.cognito.send(new GetUserCommand({ AccessToken: accessToken }));
          return out.UserAttributes?.find((a) => a.Name === 'email')?.Value ?? null;
        } catch (err) {
          request.log.warn({ err }, 'GetUser failed; answering without email');
          return null;
        }
      }
    },
  );

  app.post(
    '/api/me/live-access',
    {
      onRequest: deps.authorizer.require('readDevices'),
      schema: {
        tags: ['me'],
        summary: "Allow the user's Cognito identity to receive live telemetry over MQTT/WebSocket",
        description: bodyLimitNote(bodyLimits.api),
        security: bearer,
        body: StrictObject({ idToken: Type.String({ minLength: 1, maxLength: 8192, description: 'The ID token of the same sign-in' }) }),
        response: { 200: LiveAccessSchema, ...errorResponses(...permissionErrors, ...bodyErrors, 'InvalidIdToken') },
      },
    },
    async (request) => {
      const caller = authOf(request);
      const verified = await deps.verifier.verifyId(request.body.idToken);
      if (!verified.ok) throw apiError('InvalidIdToken', `body/idToken is not a valid ID token: ${verified.message}`);
      if (verified.claims.sub !== caller.sub)
        throw apiError('InvalidIdToken', 'body/idToken belongs to another user than the access token');
      // The provider name is the pool's issuer without the scheme (Cognito Identity GetId, Logins).
      const provider = `cognito-idp.${deps.region}.amazonaws.com/${deps.userPoolId}`;
      const out = await deps.cognitoIdentity.send(
        new GetIdCommand({ IdentityPoolId: deps.identityPoolId, Logins: { [provider]: request.body.idToken } }),
      );
      const identityId = out.IdentityId;
      if (!identityId) throw new Error('GetId answered without IdentityId');
      // The access the pool grants now, not the token's (up to an hour old): a grant taken away must not live on here.
      const access = deviceAccessOf(await poolGroupsOf(deps.cognito, deps.userPoolId, caller.username));
      const change = await deps.browserPolicies.attach(caller.sub, access, identityId);
      request.log.info({ sub: caller.sub, identityId, access, change }, 'live access granted');
      return { identityId, access };
    },
  );
}
