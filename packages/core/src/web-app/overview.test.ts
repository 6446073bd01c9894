import { describe, expect, it } from 'vitest';
import { answerChecker } from '../answer-check.ts';
import { silentAfterMs } from './device-status.ts';
import { OverviewSchema } from './overview.ts';

const now = Date.parse('2026-12-02T06:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('OverviewSchema', () => {
  const check = answerChecker(OverviewSchema);

  it('takes an answer whose parts failed each on its own', () => {
    const answer = {
      generatedAt: iso(now),
      devices: { available: true, total: 3, online: 1, offline: 1, silent: 1, silentAfterMs },
      alarms: { available: false, reason: 'The data service is unavailable' },
      throughput: { available: false, reason: 'CloudWatch did not answer' },
    };
    expect(check(answer).ok).toBe(true);
  });

  it('refuses an available part without its fields', () => {
    const answer = {
      generatedAt: iso(now),
      devices: { available: true, total: 3 },
      alarms: { available: false, reason: 'x' },
      throughput: { available: false, reason: 'x' },
    };
    expect(check(answer).ok).toBe(false);
  });
});
