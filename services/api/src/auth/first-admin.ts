/**
 * The first user of a fresh stack becomes admin; everyone else who signs up is a viewer until an
 * admin says otherwise.
 *
 * Where this lives, and why here: in the API Service, when a signed-in user in no role group asks
 * who they are (GET /api/me, which the web app calls right after sign-in) while nobody has claimed
 * the first admin's place. It is then the same code in both runtimes. A Cognito post-confirmation
 * Lambda trigger would need a Lambda stand-in and trigger support in the local Cognito, i.e. a
 * second implementation; and Cognito alone cannot make it race-free (no conditional write: two
 * users confirming at once would both see an empty admin group). So the claim is one DynamoDB item
 * written with `attribute_not_exists`: of any number of concurrent first users, across any number
 * of API tasks, exactly one wins. A stack that already has admins (made before this existed, or
 * by hand) is never claimed.
 */
import { AdminAddUserToGroupCommand, ListUsersInGroupCommand } from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Logger } from 'pino';
import type { ApiClients } from '../aws-clients.ts';

export interface FirstAdmin {
  /**
   * Makes the caller admin if the first admin's place is free (no claim, no admin), or if the caller
   * holds the claim but lost the group (a crash between the two writes). True when the caller is
   * the first admin. Call it only for callers in no role group.
   */
  claim(caller: { readonly sub: string; readonly username: string }): Promise<boolean>;
}

export interface FirstAdminDeps {
  readonly dynamo: ApiClients['dynamo'];
  readonly cognito: ApiClients['cognito'];
  readonly userPoolId: string;
  readonly tableName: string;
  readonly logger: Logger;
}

const claimKey = { name: 'first-admin' } as const;

interface Claim {
  readonly sub: string;
  /** Set once the holder is in the admin group; until then the holder (only) may finish it. */
  readonly completed: boolean;
}

export function createFirstAdmin(deps: FirstAdminDeps): FirstAdmin {
  // Once the place is taken for good it stays taken: no DynamoDB read per request after that. The
  // holder is kept (undefined when admins existed before any claim): a second question of the
  // first user, asked before the first one finished, must still hear "admin".
  let settled: { readonly holder: string | undefined } | undefined;
  const table = deps.tableName;

  async function readClaim(): Promise<Claim | undefined> {
    const out = await deps.dynamo.send(new GetCommand({ TableName: table, Key: claimKey, ConsistentRead: true }));
    const sub = out.Item?.['sub'];
    return typeof sub === 'string' ? { sub, completed: out.Item?.['completed'] === true } : undefined;
  }

  /** Writes the claim unless one exists; false when another writer was first. */
  async function writeClaim(caller: { sub: string; username: string }): Promise<boolean> {
    try {
      await deps.dynamo.send(
        new PutCommand({
          TableName: table,
          Item: { ...claimKey, sub: caller.sub, username: caller.username, claimedAt: new Date().toISOString(), completed: false },
          ConditionExpression: 'attribute_not_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name' },
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async function complete(caller: { sub: string; username: string }): Promise<true> {
    await deps.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: deps.userPoolId, Username: caller.username, GroupName: 'admin' }));
    await deps.dynamo.send(
      new UpdateCommand({
        TableName: table,
        Key: claimKey,
        UpdateExpression: 'SET completed = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
    settled = { holder: caller.sub };
    deps.logger.info({ sub: caller.sub, username: caller.username }, 'first user of the stack made admin');
    return true;
  }

  return {
    async claim(caller) {
      if (settled) return settled.holder === caller.sub;
      let claim = await readClaim();
      if (!claim) {
        const admins = await deps.cognito.send(new ListUsersInGroupCommand({ UserPoolId: deps.userPoolId, GroupName: 'admin', Limit: 1 }));
        if ((admins.Users ?? []).length > 0) {
          settled = { holder: undefined };
          return false;
        }
        if (await writeClaim(caller)) return complete(caller);
        claim = await readClaim();
      }
      if (claim?.completed) settled = { holder: claim.sub };
      if (claim?.sub !== caller.sub) return false;
      // Ours: finished by a concurrent call of the same user, or a claim whose group change was lost
      // (a crash, a throttled call), which is finished now.
      return claim.completed ? true : complete(caller);
    },
  };
}
