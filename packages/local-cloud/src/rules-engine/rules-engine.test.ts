import { ResourceAlreadyExistsException, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { ingestQueue, rules as sharedRules, telemetryBucket, topics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { at, bodyOf, failsWith, message, openableGate, rule, setup } from '../testing/rules-engine-test-kit.ts';

describe('rules engine actions', () => {
  it('sqs: sends the SELECT output as the JSON message body to the resolved queue', async () => {
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }])]);
    await t.engine.handle(message({ temperature: 21.5, other: 1 }));
    expect(t.sqs).toEqual([
      {
        command: 'SendMessageCommand',
        input: { QueueUrl: 'http://localhost/000000000000/q1', MessageBody: '{"temperature":21.5,"deviceId":"dev-1"}' },
      },
    ]);
    expect(t.engine.stats().rules.test_rule).toEqual({ matched: 1, failed: 0, errorActionFailed: 0, evaluationErrors: 0 });
  });

  it('cloudwatchMetric: puts one datum with substituted name, value and unit, stamped in whole seconds', async () => {
    const t = setup([
      rule([
        {
          kind: 'cloudwatchMetric',
          metricNamespace: 'Fleet',
          metricName: 'Temp_${topic(3)}',
          metricValue: '${temperature}',
          metricUnit: 'None',
        },
      ]),
    ]);
    await t.engine.handle(message({ temperature: 85.5 }));
    expect(t.cloudwatch).toEqual([
      {
        command: 'PutMetricDataCommand',
        input: {
          Namespace: 'Fleet',
          MetricData: [{ MetricName: 'Temp_dev-1', Value: 85.5, Unit: 'None', Timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }],
        },
      },
    ]);
  });

  it('cloudwatchMetric: fails the action when the value template is not a number', async () => {
    const t = setup([
      rule([{ kind: 'cloudwatchMetric', metricNamespace: 'Fleet', metricName: 'T', metricValue: '${missing}', metricUnit: 'Count' }]),
    ]);
    await t.engine.handle(message({ temperature: 1 }));
    expect(t.cloudwatch).toEqual([]);
    expect(t.engine.stats().rules.test_rule?.failed).toBe(1);
    expect(t.s3).toHaveLength(1);
  });

  it('cloudwatchAlarm: sets the alarm state with a substituted reason', async () => {
    const t = setup([
      rule([{ kind: 'cloudwatchAlarm', alarmName: 'hot', stateValue: 'ALARM', stateReason: 'temperature ${temperature}' }]),
    ]);
    await t.engine.handle(message({ temperature: 90 }));
    expect(t.cloudwatch).toEqual([
      { command: 'SetAlarmStateCommand', input: { AlarmName: 'hot', StateValue: 'ALARM', StateReason: 'temperature 90' } },
    ]);
  });

  it('cloudwatchLogs: puts the output as one log event in the rule stream', async () => {
    const t = setup([rule([{ kind: 'cloudwatchLogs', logGroupName: '/fleet/alerts' }])]);
    await t.engine.handle(message({ temperature: 90 }));
    expect(t.logs).toEqual([
      {
        command: 'PutLogEventsCommand',
        input: {
          logGroupName: '/fleet/alerts',
          logStreamName: 'test_rule',
          logEvents: [{ timestamp: at, message: '{"temperature":90,"deviceId":"dev-1"}' }],
        },
      },
    ]);
  });

  it('cloudwatchLogs: creates the missing group and stream on first use, then retries', async () => {
    let puts = 0;
    const t = setup([rule([{ kind: 'cloudwatchLogs', logGroupName: '/fleet/alerts' }])], {
      logs: (call) => {
        if (call.command === 'PutLogEventsCommand' && puts++ === 0)
          throw new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} });
        if (call.command === 'CreateLogGroupCommand') throw new ResourceAlreadyExistsException({ message: 'exists', $metadata: {} });
        return {};
      },
    });
    await t.engine.handle(message({ temperature: 90 }));
    expect(t.logs.map((c) => c.command)).toEqual([
      'PutLogEventsCommand',
      'CreateLogGroupCommand',
      'CreateLogStreamCommand',
      'PutLogEventsCommand',
    ]);
    expect(t.logs[2]?.input).toEqual({ logGroupName: '/fleet/alerts', logStreamName: 'test_rule' });
    expect(t.engine.stats().rules.test_rule?.failed).toBe(0);
  });

  it("republish: the topic template reads the SET clause's variables", async () => {
    const sql = "SET @site = upper(topic(3)) SELECT temperature, @site AS site FROM 'fleet/devices/+/telemetry'";
    const t = setup([rule([{ kind: 'republish', topic: 'fleet/rules/${@site}/hot', qos: 0 }], sql)]);
    await t.engine.handle(message({ temperature: 20 }));
    expect(t.republished).toEqual([{ topic: 'fleet/rules/DEV-1/hot', payload: '{"temperature":20,"site":"DEV-1"}', qos: 0 }]);
  });

  it('republish: publishes the output to the substituted topic with the QoS', async () => {
    const t = setup([rule([{ kind: 'republish', topic: 'fleet/live/${topic(3)}', qos: 1 }])]);
    await t.engine.handle(message({ temperature: 20 }));
    expect(t.republished).toEqual([{ topic: 'fleet/live/dev-1', payload: '{"temperature":20,"deviceId":"dev-1"}', qos: 1 }]);
  });

  it('s3: puts the JSON output under the substituted key in the resolved bucket', async () => {
    const t = setup([rule([{ kind: 's3', bucketId: 'b', key: 'archive/${topic(3)}/${parse_time("yyyy/MM/dd", timestamp())}.json' }])]);
    await t.engine.handle(message({ temperature: 20 }));
    expect(t.s3).toHaveLength(1);
    expect(t.s3[0]?.input).toMatchObject({ Bucket: 'physical-b', Key: 'archive/dev-1/2026/01/02.json' });
    expect(bodyOf(t.s3[0])).toEqual({ temperature: 20, deviceId: 'dev-1' });
  });

  it('runs nothing for a topic the rule does not match or when WHERE is false', async () => {
    const t = setup([rule([{ kind: 'sqs', queueId: 'q' }], "SELECT * FROM 'fleet/devices/+/telemetry' WHERE temperature > 80")]);
    await t.engine.handle(message({ temperature: 90 }, 'fleet/devices/dev-1/commands'));
    await t.engine.handle(message({ temperature: 10 }));
    await t.engine.handle(message('not json'));
    expect(t.sqs).toEqual([]);
    expect(t.engine.stats()).toMatchObject({ handled: 3, waiting: 0, rules: { test_rule: { matched: 0 } } });
  });
});

describe('rules engine error action', () => {
  it('writes the documented error-action message to S3 when an action fails', async () => {
    const t = setup(
      [
        rule([
          { kind: 'sqs', queueId: 'q1' },
          { kind: 'republish', topic: 'ok', qos: 0 },
        ]),
      ],
      {
        sqs: () => {
          throw Object.assign(new Error('The specified queue does not exist.'), {
            name: 'QueueDoesNotExist',
            $metadata: { httpStatusCode: 400 },
          });
        },
      },
    );
    const original = message({ temperature: 21 });
    await t.engine.handle(original);

    expect(t.republished).toHaveLength(1);
    expect(t.s3).toHaveLength(1);
    expect(t.s3[0]?.input).toMatchObject({ Bucket: 'physical-bucket-id', Key: 'dead/2026/01/02/03/uuid-2.json' });
    expect(bodyOf(t.s3[0])).toEqual({
      ruleName: 'test_rule',
      topic: 'fleet/devices/dev-1/telemetry',
      cloudwatchTraceId: 'uuid-1',
      clientId: 'dev-1',
      base64OriginalPayload: Buffer.from(original.payload).toString('base64'),
      failures: [
        {
          failedAction: 'SqsAction',
          failedResource: 'http://localhost/000000000000/q1',
          errorMessage:
            'Failed to send message to SQS queue. The error received was The specified queue does not exist. (Status Code: 400; Error Code: QueueDoesNotExist). ' +
            'Message arrived on: fleet/devices/dev-1/telemetry, Action: sqs, Queue: http://localhost/000000000000/q1',
        },
      ],
    });
    expect(t.engine.stats().rules.test_rule).toEqual({ matched: 1, failed: 1, errorActionFailed: 0, evaluationErrors: 0 });
  });

  it('lists every failed action in one error message', async () => {
    const t = setup(
      [
        rule([
          { kind: 'sqs', queueId: 'q1' },
          { kind: 'cloudwatchAlarm', alarmName: 'a', stateValue: 'OK', stateReason: 'r' },
        ]),
      ],
      {
        sqs: failsWith('down'),
        cloudwatch: failsWith('also down'),
      },
    );
    await t.engine.handle(message({ temperature: 1 }));
    expect(t.s3).toHaveLength(1);
    const body = bodyOf(t.s3[0]) as { failures: { failedAction: string; failedResource: string }[] };
    expect(body.failures.map((f) => [f.failedAction, f.failedResource])).toEqual([
      ['SqsAction', 'http://localhost/000000000000/q1'],
      ['CloudwatchAlarmAction', 'a'],
    ]);
  });

  it('counts a failing error action and keeps going', async () => {
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }])], {
      sqs: failsWith('down'),
      s3: failsWith('bucket gone'),
    });
    await t.engine.handle(message({ temperature: 1 }));
    await t.engine.handle(message({ temperature: 2 }));
    expect(t.engine.stats().rules.test_rule).toEqual({ matched: 2, failed: 2, errorActionFailed: 2, evaluationErrors: 0 });
  });
});

describe('rules engine flow control', () => {
  it('holds messages beyond maxInFlight until a slot frees, losing none, and drain() waits for in-flight work', async () => {
    const gate = openableGate();
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }])], { sqs: () => gate.promise }, { maxInFlight: 2 });
    void t.engine.handle(message({ temperature: 1 }));
    void t.engine.handle(message({ temperature: 2 }));
    let thirdDone = false;
    const third = t.engine.handle(message({ temperature: 3 })).then(() => (thirdDone = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(t.engine.stats()).toMatchObject({ handled: 2, waiting: 1, inFlight: 2 });
    expect(thirdDone).toBe(false);

    let drained = false;
    const draining = t.engine.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(drained).toBe(false);
    gate.resolve();
    await third;
    await draining;
    expect(t.engine.stats()).toMatchObject({ handled: 3, waiting: 0, inFlight: 0 });
    expect(t.sqs).toHaveLength(3);
  });

  it("handle() resolves once the message's own actions are done (the broker holds the PUBACK until then)", async () => {
    const gate = openableGate();
    const t = setup([rule([{ kind: 'sqs', queueId: 'q1' }])], { sqs: () => gate.promise });
    const first = t.engine.handle(message({ temperature: 1 }));
    let settled = false;
    void first.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toBe(false);
    gate.resolve();
    await t.engine.drain();
    expect(settled).toBe(true);
  });

  it('refuses a rule whose SQL does not compile, naming it', () => {
    expect(() => setup([rule([], 'SELECT FROM nowhere')])).toThrow(/test_rule/);
  });
});

describe('rules engine with the shared rule definitions', () => {
  it('routes telemetry to the ingest queue and a hot reading to CloudWatch metric and alert log', async () => {
    const t = setup(sharedRules);
    await t.engine.handle(message({ deviceId: 'dev-1', ts: at, seq: 1, temperature: 95 }, topics.telemetry('dev-1')));

    expect(t.sqs).toHaveLength(1);
    expect(t.sqs[0]?.input.QueueUrl).toBe(`http://localhost/000000000000/${ingestQueue.id}`);
    expect(JSON.parse(t.sqs[0]?.input.MessageBody as string)).toMatchObject({
      kind: 'telemetry',
      deviceId: 'dev-1',
      clientId: 'dev-1',
      receivedAt: at,
    });
    expect(t.cloudwatch.map((c) => c.command)).toEqual(['PutMetricDataCommand']);
    expect(t.cloudwatch[0]?.input).toMatchObject({
      Namespace: 'Fleet',
      MetricData: [{ MetricName: 'HighTemperatureReadings', Value: 1, Unit: 'Count' }],
    });
    expect(t.logs.map((c) => c.input.logGroupName)).toEqual(['/fleet/alerts']);
    expect(t.s3).toEqual([]);
  });

  it('dead-letters a failed ingest into the bucket prefix for the rule', async () => {
    const t = setup(sharedRules, {
      sqs: failsWith('queue unavailable'),
    });
    await t.engine.handle(message({ temperature: 20 }, topics.telemetry('dev-9')));
    expect(t.s3).toHaveLength(1);
    expect(t.s3[0]?.input.Bucket).toBe(`physical-${telemetryBucket.id}`);
    expect(t.s3[0]?.input.Key).toMatch(/^dead-letters\/rules\/fleet_telemetry_ingest\/2026\/01\/02\/03\/uuid-\d+\.json$/);
    expect(bodyOf(t.s3[0])).toMatchObject({ ruleName: 'fleet_telemetry_ingest', failures: [{ failedAction: 'SqsAction' }] });
  });
});
