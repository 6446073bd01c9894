/**
 * `@fleet/core/aws-sdk`: what every AWS SDK v3 client of Fleet's processes is given (Node only).
 * Spread into a client's configuration: `new DynamoDBClient({ ...sdkClientDefaults })`.
 */
import { NodeSha256 } from './node-sha256.ts';

export { NodeSha256, hmacKey, type HashSource } from './node-sha256.ts';

/** The SDK's hash constructor, with HMAC keys kept as `KeyObject`s (node-sha256.ts says why). */
export const sdkClientDefaults = { sha256: NodeSha256 } as const;
