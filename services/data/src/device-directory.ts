/**
 * Whether a device is registered: an item in the devices table (written by the API Service at
 * registration, removed at revocation). Telemetry queries for anything else answer 404, so a typo
 * in a device id is told apart from a device that has not published yet.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';

export interface DeviceDirectory {
  exists(deviceId: string): Promise<boolean>;
}

export function createDeviceDirectory(deps: { client: Pick<DynamoDBDocumentClient, 'send'>; tableName: string }): DeviceDirectory {
  return {
    async exists(deviceId) {
      const out = await deps.client.send(
        new GetCommand({ TableName: deps.tableName, Key: { deviceId }, ProjectionExpression: 'deviceId' }),
      );
      return out.Item !== undefined;
    },
  };
}
