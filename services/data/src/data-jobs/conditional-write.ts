/**
 * A conditional DynamoDB write whose refused condition is an expected outcome (another task holds
 * the lease, the job moved on), not an error: ConditionalCheckFailedException becomes `false`.
 */
import { isConditionFailed } from '../retry.ts';

/** Runs `write`: true when it was made, false when its condition did not hold; other errors are thrown. */
export async function conditionHeld(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isConditionFailed(err)) return false;
    throw err;
  }
}
