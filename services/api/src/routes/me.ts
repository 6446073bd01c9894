/**
 * The signed-in user, and live access: attaching the browser IoT policy to the user's Cognito
 * identity, which AWS requires (besides the identity pool role) before an authenticated identity
 * may use MQTT over WebSocket (https://docs.aws.amazon.com/iot/latest/developerguide/cog-iot-policies.html).
 */
import { GetIdCommand } from '@aws-sdk/client-cognito-identity';
import { GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AttachPolicyCommand } from '@aws-sdk/client-iot';
import { Type } from 'typebox';
import type { Authorizer } from '../auth/authorize.ts';
import { authOf } from '../auth/authorize.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { ApiClients } from '../aws-clients.ts';
import { apiError } from '../errors.ts';
import { bearer, errorResponses, RoleSchema } from '../http/schemas.ts';
import type { TypedApp } from '../http/typed-app.ts';

export interface MeRoutesDeps {
  readonly authorizer: Authorizer;
  readonly verifier: TokenVerifier;
  readonly cognito: ApiClients['cognito'];
  readonly cognitoIdentity: ApiClients['cognitoIdentity'];
  readonly iot: ApiClients['iot'];
  readonly region: string;
  readonly userPoolId: string;
  readonly identityPoolId: string;
  readonly browserPolicyName: string;
}

const Me = Type.Object({
  username: Type.String(),
  sub: Type.String(),
  email: Type.Union([Type.String(), Type.Null()], { description: 'null when the user pool could not be asked' }),
  role: RoleSchema,
  groups: Type.Array(Type.String()),
});

export function registerMeRoutes(app: TypedApp, deps: MeRoutesDeps): void {
  app.get(
    '/api/me',
    {
      onRequest: deps.authorizer.require(),
      schema: {
        tags: ['me'],
        summary: 'The signed-in user and their role',
        security: bearer,
        response: { 200: Me, ...errorResponses(401) },
      },
    },
    async (request) => {
      const caller = authOf(request);
      return {
        username: caller.username,
        sub: caller.sub,
        email: await emailOf(caller.accessToken),
        role: caller.role,
        groups: [...caller.groups],
      };

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
        security: bearer,
        body: Type.Object(
          { idToken: Type.String({ minLength: 1, description: 'The ID token of the same sign-in' }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ identityId: Type.String() }), ...errorResponses(400, 401, 403) },
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
      // Attaching an already attached policy succeeds, so calling this at every sign-in is safe.
      await deps.iot.send(new AttachPolicyCommand({ policyName: deps.browserPolicyName, target: identityId }));
      request.log.info({ sub: caller.sub, identityId }, 'live access granted');
      return { identityId };
    },
  );
}
