import { describe, expect, it } from 'vitest';
import { clientMayPublishReserved } from './reserved-topics.ts';

describe('clientMayPublishReserved', () => {
  it('admits the Jobs and Shadow requests of a thing', () => {
    for (const topic of [
      '$aws/things/t-1/jobs/get',
      '$aws/things/t:1/jobs/j1/update',
      '$aws/things/t/shadow/update',
      '$aws/things/t/shadow/name/n/get',
    ]) {
      expect(clientMayPublishReserved(topic), topic).toBe(true);
    }
  });

  it('refuses every other reserved topic', () => {
    for (const topic of [
      '$aws/events/presence/connected/t',
      '$SYS/broker',
      '$aws/things/t/other',
      '$aws/things//jobs/get',
      '$aws/things/t/jobsx/get',
    ]) {
      expect(clientMayPublishReserved(topic), topic).toBe(false);
    }
  });
});
