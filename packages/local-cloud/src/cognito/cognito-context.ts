/**
 * What every Cognito operation works with: the persisted state, its save, the token signer, the
 * clock and the logger. Built once by cognito-stand-in.ts.
 */
import type { Logger } from 'pino';
import type { CognitoState } from './cognito-state.ts';
import type { CognitoTokens } from './cognito-tokens.ts';

export interface CognitoContext {
  readonly state: CognitoState;
  /** Resolves when the state, as of this call, is durable. Await it before answering a mutation. */
  save(): Promise<void>;
  readonly tokens: CognitoTokens;
  readonly region: string;
  readonly accountId: string;
  /** Epoch milliseconds; injectable so tests can mint tokens that are already expired. */
  now(): number;
  readonly log: Logger;
  /** Mirrors pending sign-up codes to the local-only confirmation-codes.json. */
  publishConfirmationCode(poolId: string, username: string, code: string | undefined): void;
  /** Mirrors the temporary password of an invitation (AdminCreateUser) to the local-only invitations.json. */
  publishInvitation(poolId: string, username: string, temporaryPassword: string | undefined): void;
}

/** Cognito's JSON protocol encodes timestamps as epoch seconds. */
export const epochSeconds = (ms: number) => ms / 1000;
