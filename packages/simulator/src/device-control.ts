/**
 * The device side of configuration and commands, over AWS IoT's own MQTT protocols, so the loop
 * can be seen end to end: the device follows its classic shadow (applies the delta, reports what
 * it applied) and executes its jobs one at a time (start-next puts one IN_PROGRESS, the update
 * ends it in SUCCEEDED, FAILED or REJECTED with an answer). On every (re)connection it asks for
 * its shadow and its next job, so what was sent while it was offline reaches it when it returns.
 * https://docs.aws.amazon.com/iot/latest/developerguide/device-shadow-data-flow.html
 * https://docs.aws.amazon.com/iot/latest/developerguide/jobs-workflow-device-online.html
 */
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { jobsTopics, shadowTopics } from '@fleet/core';
import { planCommand, settingsToReport, type DeviceKnobs } from './device-behaviour.ts';

export interface ControlledDevice {
  readonly deviceId: string;
  readonly client: MqttClient;
  knobs(): DeviceKnobs;
  apply(knobs: DeviceKnobs): void;
  /** Disconnects, waits a moment and connects again. */
  reboot(): Promise<void>;
}

export interface ControlCounters {
  settingsApplied: number;
  commandsSucceeded: number;
  commandsFailed: number;
}

interface JobExecution {
  readonly jobId: string;
  readonly versionNumber?: number;
  readonly jobDocument?: unknown;
}

const topicsOf = (thing: string) => {
  const shadow = shadowTopics(thing);
  const startNext = jobsTopics.startNext(thing);
  return {
    shadowGet: shadow.get,
    shadowGetAccepted: shadow.getAccepted,
    shadowUpdate: shadow.update,
    shadowDelta: shadow.updateDelta,
    notifyNext: jobsTopics.notifyNext(thing),
    startNext,
    startNextAccepted: jobsTopics.accepted(startNext),
    startNextRejected: jobsTopics.rejected(startNext),
    jobUpdate: (jobId: string) => jobsTopics.update(thing, jobId),
    /** The answers to every update of this thing's executions. */
    jobUpdateAnswers: `${jobsTopics.update(thing, '+')}/+`,
  };
};

export async function followShadowAndJobs(device: ControlledDevice, log: (line: string) => void = () => {}): Promise<ControlCounters> {
  const { client, deviceId } = device;
  const topics = topicsOf(deviceId);
  const counters: ControlCounters = { settingsApplied: 0, commandsSucceeded: 0, commandsFailed: 0 };
  const rebooted = new Set<string>();
  let busy = false;
  let askAgain = false;

  const publish = (topic: string, body: object) =>
    client
      .publishAsync(topic, JSON.stringify(body), { qos: 1 })
      .catch((err: Error) => log(`${deviceId}: publish to ${topic} failed: ${err.message}`));

  const report = (reported: Record<string, unknown>) => publish(topics.shadowUpdate, { state: { reported } });

  const applyDelta = (delta: Readonly<Record<string, unknown>>) => {
    const { reported, knobs } = settingsToReport(delta, device.knobs());
    device.apply(knobs);
    counters.settingsApplied += Object.keys(delta).length;
    log(`${deviceId}: applied ${JSON.stringify(delta)}`);
    return report(reported);
  };

  const startNext = () => {
    if (busy) {
      askAgain = true;
      return;
    }
    busy = true;
    void publish(topics.startNext, { clientToken: randomUUID() });
  };

  const finish = (execution: JobExecution, status: 'SUCCEEDED' | 'FAILED' | 'REJECTED', answer: Record<string, string>) => {
    if (status === 'SUCCEEDED') counters.commandsSucceeded += 1;
    else counters.commandsFailed += 1;
    log(`${deviceId}: command ${execution.jobId} ${status}`);
    return publish(topics.jobUpdate(execution.jobId), {
      status,
      statusDetails: answer,
      ...(execution.versionNumber === undefined ? {} : { expectedVersion: execution.versionNumber }),
    });
  };

  const execute = async (execution: JobExecution) => {
    const plan = planCommand(execution.jobDocument);
    switch (plan.kind) {
      case 'reboot':
        if (rebooted.has(execution.jobId)) return finish(execution, 'SUCCEEDED', { rebootedAt: new Date().toISOString() });
        // Back from the reboot, start-next answers this execution again (it is IN_PROGRESS) and it succeeds.
        rebooted.add(execution.jobId);
        busy = false;
        return device.reboot();
      case 'set-interval':
        device.apply({ ...device.knobs(), reportIntervalSeconds: plan.seconds });
        await report({ reportIntervalSeconds: plan.seconds });
        return finish(execution, 'SUCCEEDED', { reportIntervalSeconds: String(plan.seconds) });
      case 'finish':
        return finish(execution, plan.status, plan.answer);
    }
  };

  const idle = () => {
    busy = false;
    if (askAgain) {
      askAgain = false;
      startNext();
    }
  };

  client.on('message', (topic, payload) => {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString()) as Record<string, unknown>;
    } catch {
      return log(`${deviceId}: ignored a message on ${topic} that is not JSON`);
    }
    const state = body['state'] as Record<string, unknown> | undefined;
    const execution = body['execution'] as JobExecution | undefined;
    if (topic === topics.shadowGetAccepted) {
      const delta = state?.['delta'] as Record<string, unknown> | undefined;
      if (delta && Object.keys(delta).length > 0) void applyDelta(delta);
    } else if (topic === topics.shadowDelta) {
      if (state) void applyDelta(state);
    } else if (topic === topics.notifyNext) {
      if (execution) startNext();
    } else if (topic === topics.startNextAccepted) {
      if (execution) void execute(execution);
      else idle();
    } else if (topic === topics.startNextRejected) {
      log(`${deviceId}: start-next rejected: ${payload.toString()}`);
      idle();
    } else if (topic.endsWith('/update/accepted') && topic.includes('/jobs/')) {
      busy = false;
      startNext();
    } else if (topic.endsWith('/update/rejected') && topic.includes('/jobs/')) {
      log(`${deviceId}: job update rejected: ${payload.toString()}`);
      busy = false;
      startNext();
    }
  });

  await client.subscribeAsync(
    [
      topics.shadowGetAccepted,
      topics.shadowDelta,
      topics.notifyNext,
      topics.startNextAccepted,
      topics.startNextRejected,
      topics.jobUpdateAnswers,
    ],
    {
      qos: 1,
    },
  );
  // Every connection, the first and each after a reboot or a lost link, catches up on what changed meanwhile.
  const catchUp = () => {
    busy = false;
    askAgain = false;
    void publish(topics.shadowGet, {});
    startNext();
  };
  client.on('connect', catchUp);
  catchUp();
  return counters;
}
