/**
 * CONNECT: who the connection is and whether it may connect (aedes' `authenticate` hook). The
 * transport already authenticated it (a client certificate of the local CA, or a SigV4-presigned
 * WebSocket URL of a Cognito identity); here the certificate must be ACTIVE in the registry and
 * the principal's policies must allow `iot:Connect` on `client/<clientId>`
 * (https://docs.aws.amazon.com/iot/latest/developerguide/connect-and-pub.html). An accepted
 * connection gets its session; a second connection with the same client id takes over
 * ([MQTT-3.1.4-2]), and the older one's lifecycle event says DUPLICATE_CLIENTID.
 */
import { randomUUID } from 'node:crypto';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import { connectionContext, evaluatePolicies, type PolicyContext } from '../../policy/policy-evaluator.ts';
import { maxClientIdLength, noteDisconnectReason, type BrokerState } from '../broker-state.ts';
import { createRateLimiter } from '../publish-rate-limiter.ts';

/** An MQTT 3.1.1 CONNACK refusal: 2 identifier rejected, 3 server unavailable, 5 not authorized. */
export const refuse = (returnCode: 2 | 3 | 5, message: string): AuthenticateError => Object.assign(new Error(message), { returnCode });

/** aedes' `authenticate` hook: CONNACK 0 with a session, or the refusal. */
export function authenticateHook(state: BrokerState): NonNullable<AedesOptions['authenticate']> {
  return (client, _username, _password, done) => {
    void authenticate(state, client).then(
      (error) => (error ? done(error, false) : done(null, true)),
      (err: unknown) => {
        state.log?.error({ err, clientId: client.id }, 'iot broker: authentication failed unexpectedly');
        done(refuse(3, 'server unavailable'), false);
      },
    );
  };
}

/** Undefined when the client may connect (its session is then recorded), else the refusal. */
export async function authenticate(state: BrokerState, client: Client): Promise<AuthenticateError | undefined> {
  const { registry, log } = state;
  const auth = state.authByConn.get(client.conn);
  const clientId = client.id;
  if (!auth) return refuse(5, 'connection carries no credentials');
  // aedes checks maxClientsIdLength for MQTT 3.1 only; AWS IoT refuses ids over 128 characters.
  if (clientId.length > maxClientIdLength) return refuse(2, `client id longer than ${maxClientIdLength} characters`);
  let principal: string;
  let principalIdentifier: string;
  let cognitoIdentityId: string | undefined;
  let certificateVariables: PolicyContext = {};
  if (auth.kind === 'certificate') {
    const certificate = registry.findCertificate(auth.certificateId);
    if (!certificate || certificate.status !== 'ACTIVE') {
      log?.info(
        { clientId, certificateId: auth.certificateId, status: certificate?.status },
        'iot broker: certificate not ACTIVE, connection refused',
      );
      return refuse(5, 'certificate is not active');
    }
    principal = certificate.certificateArn;
    principalIdentifier = certificate.certificateId;
    certificateVariables = auth.certificateVariables;
  } else {
    principal = auth.identityId;
    principalIdentifier = auth.identityId;
    cognitoIdentityId = auth.identityId;
  }
  // AWS: ${iot:Connection.Thing.ThingName} is the thing named like the client id, when it is
  // attached to the connecting principal.
  const thingName = registry.isThingAttachedTo(clientId, principal) ? clientId : undefined;
  const context = {
    ...certificateVariables,
    ...connectionContext({
      clientId,
      ...(thingName !== undefined ? { thingName } : {}),
      ...(cognitoIdentityId !== undefined ? { cognitoIdentityId } : {}),
    }),
  };
  const decision = evaluatePolicies(registry.policyDocumentsOf(principal), 'iot:Connect', registry.arn('client', clientId), context);
  if (decision !== 'allow') {
    log?.info({ clientId, principal, decision }, 'iot broker: iot:Connect refused');
    return refuse(5, 'not authorized to connect');
  }
  const previous = (state.aedes as unknown as { clients: Record<string, Client | undefined> } | undefined)?.clients[clientId];
  // [MQTT-3.1.4-2] aedes disconnects the older connection; AWS reports it this way.
  if (previous) noteDisconnectReason(state, previous, 'DUPLICATE_CLIENTID');
  const versionNumber = (state.versionByClientId.get(clientId) ?? 0) + 1;
  state.versionByClientId.set(clientId, versionNumber);
  const rate = state.maxPublishesPerSecond;
  state.sessions.set(client, {
    principal,
    principalIdentifier,
    context,
    sessionIdentifier: randomUUID(),
    ipAddress: auth.ipAddress,
    ...(rate > 0 ? { limiter: createRateLimiter(rate, Date.now()) } : {}),
    versionNumber,
    announced: false,
    receiveCache: new Map(),
    receiveCacheRevision: registry.revision,
  });
  let connections = state.clientsByPrincipal.get(principal);
  if (!connections) state.clientsByPrincipal.set(principal, (connections = new Set()));
  connections.add(client);
  return undefined;
}
