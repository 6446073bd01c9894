/**
 * Property test of the Jobs operations as a state machine: whatever devices and operators do, in
 * any order (device updates with any status and any expected version, start-next, cancel of
 * executions and jobs, forced or not, timers firing), no illegal transition is ever applied, a
 * terminal execution never changes, every change raises the version, and a refused request
 * changes nothing.
 */
import { isLegalExecutionTransition, isTerminalExecutionStatus, jobExecutionStatuses } from '@fleet/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testRegistry } from '../registry/registry-test-context.ts';
import { readCreateJobInput } from './create-job-input.ts';
import { transition } from './execution-lifecycle.ts';
import { cancelJob, cancelJobExecution, createJob } from './job-control-operations.ts';
import { startNextPendingJobExecution, updateJobExecution } from './job-device-operations.ts';
import { executionKeyOf, type ExecutionRecord } from './job-records.ts';
import { createJobState, timedExecutions } from './job-state.ts';
import type { JobsContext, Transaction } from './jobs-context.ts';

const things = ['t0', 't1'];
const jobIds = ['j0', 'j1', 'j2'];

type Command =
  | { kind: 'update'; thing: number; job: number; status: string; expectedVersion?: number }
  | { kind: 'start-next'; thing: number }
  | { kind: 'cancel-execution'; thing: number; job: number; force: boolean }
  | { kind: 'cancel-job'; job: number; force: boolean }
  | { kind: 'tick'; minutes: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('update' as const),
    thing: fc.nat(1),
    job: fc.nat(2),
    status: fc.constantFrom(...jobExecutionStatuses, 'BOGUS'),
    expectedVersion: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('start-next' as const), thing: fc.nat(1) }),
  fc.record({ kind: fc.constant('cancel-execution' as const), thing: fc.nat(1), job: fc.nat(2), force: fc.boolean() }),
  fc.record({ kind: fc.constant('cancel-job' as const), job: fc.nat(2), force: fc.boolean() }),
  fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 0, max: 20 }) }),
);

function world() {
  const registry = testRegistry();
  for (const thingName of things) registry.createThing({ thingName });
  let now = Date.UTC(2026, 0, 1);
  const context: JobsContext = { state: createJobState({ jobs: [], executions: [] }), registry, now: () => now };
  const tx = (): Transaction => ({
    jobs: new Set(),
    executions: new Set(),
    deletedJobs: new Set(),
    deletedExecutions: [],
    touch: () => undefined,
    ended: [],
    jobEvents: [],
  });
  const targets = things.map((t) => registry.arn('thing', t));
  createJob(context, tx(), readCreateJobInput('j0', { targets, document: '{}', timeoutConfig: { inProgressTimeoutInMinutes: 10 } }));
  createJob(
    context,
    tx(),
    readCreateJobInput('j1', {
      targets,
      document: '{}',
      jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'ALL', numberOfRetries: 2 }] },
    }),
  );
  createJob(context, tx(), readCreateJobInput('j2', { targets, document: '{}', targetSelection: 'CONTINUOUS' }));
  return { context, tx, advance: (ms: number) => void (now += ms) };
}

const snapshot = (context: JobsContext) =>
  new Map(
    [...context.state.executions.values()]
      .flatMap((byJob) => [...byJob.values()].flat())
      .map((e: ExecutionRecord) => [executionKeyOf(e), { status: e.status, versionNumber: e.versionNumber }] as const),
  );

function apply(w: ReturnType<typeof world>, c: Command): void {
  const { context, tx } = w;
  const thingName = things[c.kind === 'tick' || c.kind === 'cancel-job' ? 0 : c.thing] as string;
  const jobId = jobIds[c.kind === 'update' || c.kind === 'cancel-execution' || c.kind === 'cancel-job' ? c.job : 0] as string;
  switch (c.kind) {
    case 'update':
      return void updateJobExecution(context, tx(), thingName, jobId, {
        status: c.status,
        ...(c.expectedVersion !== undefined ? { expectedVersion: c.expectedVersion } : {}),
      });
    case 'start-next':
      return void startNextPendingJobExecution(context, tx(), thingName, { stepTimeoutInMinutes: 5 });
    case 'cancel-execution':
      return cancelJobExecution(context, tx(), jobId, thingName, { force: c.force });
    case 'cancel-job':
      return void cancelJob(context, tx(), jobId, { force: c.force });
    case 'tick': {
      w.advance(c.minutes * 60_000);
      const due = timedExecutions(context.state).filter((e) => (e.timeoutAt as number) <= context.now());
      const t = tx();
      for (const e of due) transition(context, t, e, 'TIMED_OUT', 'service');
      return;
    }
  }
}

describe('the Jobs operations as a state machine', () => {
  it('never apply an illegal transition, never change a terminal execution, always raise the version; a refusal changes nothing', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const w = world();
        for (const c of commands) {
          const before = snapshot(w.context);
          let refused = false;
          try {
            apply(w, c);
          } catch (err) {
            refused = true;
            expect((err as { code?: string }).code, String(err)).toBeDefined();
          }
          const after = snapshot(w.context);
          if (refused) {
            expect(after).toEqual(before);
            continue;
          }
          for (const [key, was] of before) {
            const now = after.get(key);
            expect(now, key).toBeDefined();
            if (!now || (now.status === was.status && now.versionNumber === was.versionNumber)) continue;
            expect(isTerminalExecutionStatus(was.status), `${key} changed after ${was.status}`).toBe(false);
            expect(now.versionNumber).toBeGreaterThan(was.versionNumber);
            const legal =
              isLegalExecutionTransition(was.status, now.status, 'device') || isLegalExecutionTransition(was.status, now.status, 'service');
            expect(legal, `${key}: ${was.status} → ${now.status}`).toBe(true);
          }
          for (const [key, created] of after) {
            if (!before.has(key)) expect(created, key).toEqual({ status: 'QUEUED', versionNumber: 1 });
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
