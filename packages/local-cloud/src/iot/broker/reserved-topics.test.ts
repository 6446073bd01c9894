import { describe, expect, it } from 'vitest';
import { clientMayPublishReserved } from './reserved-topics.ts';

describe('clientMayPublishReserved', () => {
  it('allows the request topics of the Device Shadow and Jobs services', () => {
    for (const topic of [
      '$aws/things/lamp/shadow/get',
      '$aws/things/lamp/shadow/update',
      '$aws/things/lamp/shadow/delete',
      '$aws/things/lamp/shadow/name/config/update',
      '$aws/things/lamp/jobs/get',
      '$aws/things/lamp/jobs/start-next',
      '$aws/things/lamp/jobs/job-42/get',
      '$aws/things/lamp/jobs/job-42/update',
      '$aws/things/lamp/jobs/$next/get',
      // Answered InvalidTopic by the Jobs service, as AWS does.
      '$aws/things/lamp/jobs/job-42/whatever',
    ]) {
      expect(clientMayPublishReserved(topic), topic).toBe(true);
    }
  });

  it('allows Basic Ingest topics ($aws/rules/<rule>/<topic>), still under the iot:Publish policy', () => {
    for (const topic of ['$aws/rules/r/x/y', '$aws/rules/fleet_ingest/fleet/devices/d1/telemetry']) {
      expect(clientMayPublishReserved(topic), topic).toBe(true);
    }
    for (const topic of ['$aws/rules/r', '$aws/rules/r/', '$aws/rules/bad-name/x']) {
      expect(clientMayPublishReserved(topic), topic).toBe(false);
    }
  });

  it('refuses response topics and every other reserved topic', () => {
    for (const topic of [
      '$aws/things/lamp/shadow/update/accepted',
      '$aws/things/lamp/shadow/update/delta',
      '$aws/things/lamp/shadow/name/config/update/documents',
      '$aws/things/lamp/jobs/notify',
      '$aws/things/lamp/jobs/notify-next',
      '$aws/things/lamp/jobs/get/accepted',
      '$aws/things/lamp/jobs/job-42/update/rejected',
      '$aws/things//jobs/get',
      '$aws/events/presence/connected/lamp',
      '$aws/rules/ingest',
      '$SYS/broker/uptime',
    ]) {
      expect(clientMayPublishReserved(topic), topic).toBe(false);
    }
  });
});
