/**
 * The local Cognito: user pools (cognito-idp) and identity pools (cognito-identity) on the AWS
 * JSON 1.1 protocol, a JWKS route, and the credential lookup the IoT broker uses to check
 * SigV4-signed WebSocket URLs. State lives in `dataDir` (a folder of its own):
 * - `state.json` — pools, clients, users (scrypt hashes), groups, identities, refresh-token hashes, issued credentials;
 * - `signing-key.pem` — the RSA token signing key (0600), created on first start;
 * - `confirmation-codes.json` — pending sign-up codes by `<userPoolId>/<sign-in name>` (the email in email sign-in pools; no mail is sent locally).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { jsonProtocolHandler, type AwsServiceHandler } from '../aws-endpoint/index.ts';
import type { IssuedIdentityCredentials } from '../iam/index.ts';
import { authOperations } from './auth-operations.ts';
import type { CognitoContext } from './cognito-context.ts';
import { emptyCognitoState, pruneExpired, type CognitoState } from './cognito-state.ts';
import { createCognitoTokens } from './cognito-tokens.ts';
import { groupOperations } from './group-operations.ts';
import { identityPoolOperations } from './identity-pool-operations.ts';
import { openJsonFileStore } from './json-file-store.ts';
import { createJwksHandler } from './jwks-handler.ts';
import { loadOrCreateSigningKey } from './signing-key.ts';
import { userOperations } from './user-operations.ts';
import { userPoolOperations } from './user-pool-operations.ts';

export interface CognitoStandInOptions {
  /** A folder for this stand-in alone (e.g. `<data>/cognito`); created if missing. */
  readonly dataDir: string;
  /** AWS region in ids and token issuers; `us-east-1` locally. */
  readonly region: string;
  readonly log: Logger;
  /** @default '000000000000' (LocalStack's convention) */
  readonly accountId?: string;
  /** Clock in epoch ms. @default Date.now — tests pass a past clock to mint expired tokens. */
  readonly now?: () => number;
}

/** Credentials issued by GetCredentialsForIdentity, as the IoT broker needs them to check a SigV4 signature. */
export interface IssuedCredentialLookup {
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly identityId: string;
  readonly expiration: Date;
}

export interface CognitoStandIn {
  /** Mount under signing name `cognito-idp`. */
  readonly userPoolHandler: AwsServiceHandler;
  /** Mount under signing name `cognito-identity`. */
  readonly identityHandler: AwsServiceHandler;
  /** Mount as an HTTP route with prefix `/<region>_` (serves `/<userPoolId>/.well-known/jwks.json`). */
  readonly jwksHandler: AwsServiceHandler;
  /** The public keys (same for every pool), for verifiers that refuse http JWKS URLs. */
  readonly jwks: { readonly keys: readonly object[] };
  /** Unexpired identity-pool credentials by access key id, else undefined. */
  lookupCredentials(accessKeyId: string): IssuedCredentialLookup | undefined;
  /**
   * Identity-pool credentials by access key id, expired ones included (for a day), so that the AWS
   * endpoint can answer ExpiredTokenException for them.
   */
  issuedCredentials(accessKeyId: string): IssuedIdentityCredentials | undefined;
  /** Local-only admin read: the pending sign-up code of a user (also in confirmation-codes.json). */
  confirmationCode(userPoolId: string, username: string): string | undefined;
  /** Waits for pending writes. */
  close(): Promise<void>;
}

type CodeFile = Record<string, { code: string; expiresAt: string }>;

export async function createCognitoStandIn(options: CognitoStandInOptions): Promise<CognitoStandIn> {
  const dir = options.dataDir;
  const now = options.now ?? Date.now;
  const log = options.log.child({ standIn: 'cognito' });
  const key = await loadOrCreateSigningKey(dir);
  const store = await openJsonFileStore<CognitoState>({
    file: join(dir, 'state.json'),
    initial: emptyCognitoState,
    beforeWrite: (state) => pruneExpired(state, now()),
  });
  const codes = await openJsonFileStore<CodeFile>({ file: join(dir, 'confirmation-codes.json'), initial: () => ({}) });
  const state = store.data;
  let codesChanged = false;

  const ctx: CognitoContext = {
    state,
    async save() {
      const writes = [store.save()];
      if (codesChanged) {
        codesChanged = false;
        writes.push(codes.save());
      }
      await Promise.all(writes);
    },
    tokens: createCognitoTokens({ key, region: options.region, now }),
    region: options.region,
    accountId: options.accountId ?? '000000000000',
    now,
    log,
    publishConfirmationCode(poolId, username, code) {
      const entry = `${poolId}/${username}`;
      if (code === undefined) {
        if (!codes.data[entry]) return;
        delete codes.data[entry];
      } else {
        codes.data[entry] = { code, expiresAt: new Date(now() + 24 * 3600 * 1000).toISOString() };
      }
      codesChanged = true; // written by the operation's save()
    },
  };

  const userPoolHandler = jsonProtocolHandler({
    service: 'cognito-idp',
    operations: { ...userPoolOperations(ctx), ...userOperations(ctx), ...authOperations(ctx), ...groupOperations(ctx) },
  });
  const identityHandler = jsonProtocolHandler({ service: 'cognito-identity', operations: identityPoolOperations(ctx) });

  log.info(
    { dir, userPools: Object.keys(state.userPools).length, identityPools: Object.keys(state.identityPools).length, kid: key.kid },
    'cognito stand-in ready',
  );

  return {
    userPoolHandler,
    identityHandler,
    jwksHandler: createJwksHandler({ state, key }),
    jwks: key.jwks,
    lookupCredentials(accessKeyId) {
      // Own properties only: an access key "constructor" must not find Object's.
      const issued = Object.hasOwn(state.credentials, accessKeyId) ? state.credentials[accessKeyId] : undefined;
      if (!issued || issued.expiresAt <= now()) return undefined;
      return {
        secretAccessKey: issued.secretAccessKey,
        sessionToken: issued.sessionToken,
        identityId: issued.identityId,
        expiration: new Date(issued.expiresAt),
      };
    },
    issuedCredentials(accessKeyId) {
      const issued = Object.hasOwn(state.credentials, accessKeyId) ? state.credentials[accessKeyId] : undefined;
      return issued && { ...issued };
    },
    confirmationCode(userPoolId, username) {
      const pool = state.userPools[userPoolId];
      if (!pool) return undefined;
      const user = Object.values(pool.users).find((u) => u.username === username || u.attributes.email === username);
      return user?.confirmation?.code;
    },
    async close() {
      await store.save();
      await codes.save();
    },
  };
}
