import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isLegalExecutionTransition,
  isTerminalExecutionStatus,
  jobExecutionStatuses,
  statusDetailsProblem,
  type ExecutionActor,
  type JobExecutionStatus,
} from './iot-jobs.ts';
import { jobsTopics, parseJobsTopic } from './iot-jobs-topics.ts';

describe('job execution transitions', () => {
  it('lets a device start, progress and finish a pending execution', () => {
    expect(isLegalExecutionTransition('QUEUED', 'IN_PROGRESS', 'device')).toBe(true);
    expect(isLegalExecutionTransition('IN_PROGRESS', 'IN_PROGRESS', 'device')).toBe(true);
    for (const end of ['SUCCEEDED', 'FAILED', 'REJECTED'] as const)
      expect(isLegalExecutionTransition('IN_PROGRESS', end, 'device')).toBe(true);
  });

  it('refuses a device QUEUED, TIMED_OUT, CANCELED or REMOVED, and any change of a terminal execution', () => {
    for (const to of ['QUEUED', 'TIMED_OUT', 'CANCELED', 'REMOVED'] as const)
      expect(isLegalExecutionTransition('IN_PROGRESS', to, 'device')).toBe(false);
    expect(isLegalExecutionTransition('SUCCEEDED', 'IN_PROGRESS', 'device')).toBe(false);
    expect(isLegalExecutionTransition('CANCELED', 'CANCELED', 'service')).toBe(false);
  });

  it('times out only an IN_PROGRESS execution', () => {
    expect(isLegalExecutionTransition('IN_PROGRESS', 'TIMED_OUT', 'service')).toBe(true);
    expect(isLegalExecutionTransition('QUEUED', 'TIMED_OUT', 'service')).toBe(false);
  });

  it('never accepts a transition out of a terminal status, nor into QUEUED, whatever the sequence (property)', () => {
    const status = fc.constantFrom(...jobExecutionStatuses);
    const actor = fc.constantFrom<ExecutionActor>('device', 'service');
    fc.assert(
      fc.property(fc.array(fc.tuple(status, actor), { maxLength: 30 }), (steps) => {
        let current: JobExecutionStatus = 'QUEUED';
        let version = 1;
        for (const [to, who] of steps) {
          const before = current;
          if (!isLegalExecutionTransition(current, to, who)) continue;
          current = to;
          const next = version + 1;
          expect(next).toBeGreaterThan(version);
          version = next;
          expect(isTerminalExecutionStatus(before)).toBe(false);
          expect(to).not.toBe('QUEUED');
        }
      }),
    );
  });
});

describe('statusDetails', () => {
  it('accepts AWS keys and printable values, refuses the rest', () => {
    expect(statusDetailsProblem({ step: '2/3', 'a:b_c-d': 'x' })).toBeUndefined();
    expect(statusDetailsProblem({ 'bad key': 'x' })).toMatch(/key/);
    expect(statusDetailsProblem({ k: '' })).toMatch(/value/);
    expect(statusDetailsProblem({ k: 'x'.repeat(1025) })).toMatch(/value/);
    expect(statusDetailsProblem({ k: 'a\nb' })).toMatch(/value/);
    expect(statusDetailsProblem({ k: 1 })).toMatch(/value/);
    expect(statusDetailsProblem([])).toMatch(/object/);
  });
});

describe('jobs topics', () => {
  it('builds the device topics and parses them back', () => {
    expect(jobsTopics.startNext('t1')).toBe('$aws/things/t1/jobs/start-next');
    expect(jobsTopics.accepted(jobsTopics.update('t1', 'j1'))).toBe('$aws/things/t1/jobs/j1/update/accepted');
    expect(parseJobsTopic(jobsTopics.get('t1'))).toEqual({ kind: 'request', thingName: 't1', operation: 'get' });
    expect(parseJobsTopic(jobsTopics.startNext('t1'))).toEqual({ kind: 'request', thingName: 't1', operation: 'start-next' });
    expect(parseJobsTopic(jobsTopics.describe('t1', '$next'))).toEqual({
      kind: 'request',
      thingName: 't1',
      operation: 'describe',
      jobId: '$next',
    });
    expect(parseJobsTopic(jobsTopics.update('t1', 'j-1'))).toEqual({ kind: 'request', thingName: 't1', operation: 'update', jobId: 'j-1' });
  });

  it('tells replies, notifications, invalid jobs topics and other topics apart', () => {
    expect(parseJobsTopic('$aws/things/t1/jobs/get/accepted')).toEqual({ kind: 'reply', thingName: 't1' });
    expect(parseJobsTopic('$aws/things/t1/jobs/j1/update/rejected')).toEqual({ kind: 'reply', thingName: 't1' });
    expect(parseJobsTopic(jobsTopics.notifyNext('t1'))).toEqual({ kind: 'notification', thingName: 't1' });
    expect(parseJobsTopic('$aws/things/t1/jobs/whatever')).toEqual({ kind: 'invalid', thingName: 't1' });
    expect(parseJobsTopic('$aws/things/t1/jobs/$next/update')).toEqual({ kind: 'invalid', thingName: 't1' });
    expect(parseJobsTopic('$aws/things/t1/shadow/get')).toBeUndefined();
    expect(parseJobsTopic('fleet/devices/t1/telemetry')).toBeUndefined();
  });
});
