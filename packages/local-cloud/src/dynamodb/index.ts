export { dynaliteScript, startDynamoDb, type DynamoDbOptions, type DynamoDbStandIn } from './dynamodb-stand-in.ts';
export { ensureTables, createTableInput } from './ensure-tables.ts';
export { sweepExpiredItems } from './ttl-sweeper.ts';
