/**
 * Shadow updates feed the rules engine, as on AWS: the service's `/update/documents` messages reach
 * the broker's listeners, and a rule selecting from `$aws/things/+/shadow/update/documents` fires.
 */
import { UpdateThingShadowCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFixture, type Fixture } from '../../testing/iot-fixture.ts';
import { eventually } from '../../testing/mqtt-test-client.ts';
import { rule, setup } from '../../testing/rules-engine-test-kit.ts';

let fixture: Fixture;
const rules = setup([
  rule(
    [{ kind: 'sqs', queueId: 'shadow-changes' }],
    "SELECT current.state.reported.speed AS speed, current.version AS version, topic(3) AS thing FROM '$aws/things/+/shadow/update/documents'",
  ),
]);

beforeAll(async () => {
  fixture = await startFixture();
  fixture.iot.onMessage((message) => rules.engine.handle(message, { fromService: message.principal === undefined }));
});
afterAll(async () => {
  await fixture.close();
});

it('runs a rule selecting from $aws/things/+/shadow/update/documents for each accepted update', async () => {
  await fixture.data.send(new UpdateThingShadowCommand({ thingName: 'fan', payload: Buffer.from('{"state":{"reported":{"speed":3}}}') }));
  // A named shadow's documents topic has more levels: the rule's filter does not match it.
  await fixture.data.send(
    new UpdateThingShadowCommand({ thingName: 'fan', shadowName: 'cfg', payload: Buffer.from('{"state":{"reported":{"speed":9}}}') }),
  );
  await eventually(() => rules.sqs.length >= 1, 5_000, 'the rule action');
  expect(rules.sqs.map((call) => call.input)).toEqual([
    { QueueUrl: 'http://localhost/000000000000/shadow-changes', MessageBody: '{"speed":3,"version":1,"thing":"fan"}' },
  ]);
});
