/**
 * The local Cognito: user pools (cognito-idp) and identity pools (cognito-identity) on the AWS
 * JSON 1.1 protocol, a JWKS route, and the credential lookup the IoT broker uses to check
 * SigV4-signed WebSocket URLs. State lives in `dataDir` (a folder of its own):
 * - `state.json` — pools, clients, users (scrypt hashes), groups, identities, refresh-token hashes, issued credentials;
 * - `signing-key.pem` — the RSA token signing key (0600), created on first start;
 * - `confirmation-codes.json` — pending sign-up codes by `<userPoolId>/<sign-in name>` (the email in email sign-in pools; no mail is sent locally).
 * - `invitations.json` — temporary passwords of invited users (AdminCreateUser), by the same key: the mail Cognito would send.
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
import { openJsonFileStore, type JsonFileStore } from './json-file-store.ts';
import { createJwksHandler } from './jwks-handler.ts';
import { loadOrCreateSigningKey } from './signing-key.ts';
import { userOperations } from './user-operations.ts';
import { userPoolOperations } from './user-pool-operations.ts';
import { ownValue } from '../aws-endpoint/own-record.ts';

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
type InvitationFile = Record<string, { temporaryPassword: string; expiresAt: string }>;
const dayMs = 24 * 3600 * 1000;

/**
 * A local-only file of what Cognito would mail, by `<userPoolId>/<sign-in name>`: entries change
 * with an operation and are written by the operation's save(), only when something changed.
 */
function localMail<T>(store: JsonFileStore<Record<string, T>>) {
  let changed = false;
  return {
    store,
    set(entry: string, value: T | undefined): void {
      if (value === undefined) {
        if (!(entry in store.data)) return;
        delete store.data[entry];
      } else {
        store.data[entry] = value;
      }
      changed = true;
    },
    pendingSaves(): Promise<void>[] {
      if (!changed) return [];
      changed = false;
      return [store.save()];
    },
  };
}

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
  const codes = localMail(await openJsonFileStore<CodeFile>({ file: join(dir, 'confirmation-codes.json'), initial: () => ({}) }));
  const invitations = localMail(await openJsonFileStore<InvitationFile>({ file: join(dir, 'invitations.json'), initial: () => ({}) }));
  const state = store.data;

  const ctx: CognitoContext = {
    state,
    async save() {
      await Promise.all([store.save(), ...codes.pendingSaves(), ...invitations.pendingSaves()]);
    },
    tokens: createCognitoTokens({ key, region: options.region, now }),
    region: options.region,
    accountId: options.accountId ?? '000000000000',
    now,
    log,
    publishConfirmationCode(poolId, username, code) {
      codes.set(`${poolId}/${username}`, code === undefined ? undefined : { code, expiresAt: new Date(now() + dayMs).toISOString() });
    },
    publishInvitation(poolId, username, temporaryPassword) {
      const days = ownValue(state.userPools, poolId)?.passwordPolicy.TemporaryPasswordValidityDays ?? 7;
      invitations.set(
        `${poolId}/${username}`,
        temporaryPassword === undefined ? undefined : { temporaryPassword, expiresAt: new Date(now() + days * dayMs).toISOString() },
      );
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
      const pool = ownValue(state.userPools, userPoolId);
      if (!pool) return undefined;
      const user = Object.values(pool.users).find((u) => u.username === username || u.attributes.email === username);
      return user?.confirmation?.code;
    },
    async close() {
      await store.save();
      await codes.store.save();
      await invitations.store.save();
    },
  };
}
