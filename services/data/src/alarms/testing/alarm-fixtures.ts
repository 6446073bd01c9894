/**
 * Test support for alarms: a recording SNS client that can be told to fail, a DynamoDB client that
 * fails chosen requests (a crash between two writes), an IoT client answering thing groups, and
 * alarms wired on dynalite.
 */
import type { IoTClient } from '@aws-sdk/client-iot';
import type { SNSClient } from '@aws-sdk/client-sns';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { alarmsTable, latestTable, type AlarmEvent, type AlarmNotification, type Reading } from '@fleet/core';
import pino from 'pino';
import { createAlarms, type Alarms } from '../index.ts';

export interface FakeSns {
  readonly client: Pick<SNSClient, 'send'>;
  /** Every Publish input that succeeded. */
  readonly published: { TopicArn: string; Subject: string; Message: string; MessageAttributes: Record<string, { StringValue: string }> }[];
  /** While true, Publish throws. */
  failing: boolean;
  /** The notifications' event ids, in order. */
  eventIds(): string[];
}

export function fakeSns(): FakeSns {
  const fake: FakeSns = {
    published: [],
    failing: false,
    client: {
      send: async (command: { input: unknown }) => {
        if (fake.failing) throw Object.assign(new Error('SNS is down'), { name: 'InternalErrorException' });
        fake.published.push(command.input as FakeSns['published'][number]);
        return { MessageId: String(fake.published.length) };
      },
    },
    eventIds: () => fake.published.map((p) => (JSON.parse(p.Message) as AlarmNotification).event.eventId),
  };
  return fake;
}

/** A DynamoDB client whose requests fail while `failWhen` says so (a crash at that point). */
export function failingDynamo(
  real: Pick<DynamoDBDocumentClient, 'send'>,
  failWhen: (command: { constructor: { name: string }; input: Record<string, unknown> }) => boolean,
): Pick<DynamoDBDocumentClient, 'send'> {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      if (failWhen(command)) throw new Error(`crash before ${command.constructor.name}`);
      return (real.send as (c: unknown) => Promise<unknown>)(command);
    },
  };
}

/** An IoT client answering ListThingGroupsForThing from a map. */
export function fakeIot(groups: Record<string, string[]> = {}): Pick<IoTClient, 'send'> {
  return {
    send: async (command: { input: { thingName?: string } }) => ({
      thingGroups: (groups[command.input.thingName ?? ''] ?? []).map((groupName) => ({ groupName })),
    }),
  };
}

export const topicArn = 'arn:aws:sns:us-east-1:000000000000:fleet-alarm-notifications';

export function testAlarms(options: {
  dynamo: Pick<DynamoDBDocumentClient, 'send'>;
  sns: FakeSns;
  iot?: Pick<IoTClient, 'send'>;
  now?: () => number;
}): Alarms {
  return createAlarms({
    dynamo: options.dynamo,
    tableName: alarmsTable.id,
    latestTableName: latestTable.id,
    iot: options.iot ?? fakeIot(),
    sns: options.sns.client,
    topicArn,
    logger: pino({ level: 'silent' }),
    definitionCacheMs: 0,
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Every event item of the table (all day partitions the test used). */
export async function storedEvents(dynamo: Pick<DynamoDBDocumentClient, 'send'>, days: readonly string[]): Promise<AlarmEvent[]> {
  const events: AlarmEvent[] = [];
  for (const day of days) {
    const { Items = [] } = await dynamo.send(
      new QueryCommand({
        TableName: alarmsTable.id,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `events#${day}` },
      }),
    );
    events.push(...Items.map((i) => i['event'] as AlarmEvent));
  }
  return events;
}

export const reading = (deviceId: string, ts: number, values: Record<string, number>, seq = ts): Reading => ({ deviceId, ts, seq, values });
