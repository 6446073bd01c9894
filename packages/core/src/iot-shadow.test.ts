import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseShadowTopic, shadowTopic, shadowTopics, type ShadowOperation, type ShadowTopicSuffix } from './iot-shadow.ts';

describe('shadow topics', () => {
  it('builds the classic and named topics of the AWS IoT guide', () => {
    expect(shadowTopics('lamp').update).toBe('$aws/things/lamp/shadow/update');
    expect(shadowTopics('lamp').updateDelta).toBe('$aws/things/lamp/shadow/update/delta');
    expect(shadowTopics('lamp', 'config').getAccepted).toBe('$aws/things/lamp/shadow/name/config/get/accepted');
    expect(shadowTopics('lamp', 'config').deleteRejected).toBe('$aws/things/lamp/shadow/name/config/delete/rejected');
  });

  it('parses request and response topics of classic and named shadows', () => {
    expect(parseShadowTopic('$aws/things/lamp/shadow/get')).toEqual({ thingName: 'lamp', operation: 'get' });
    expect(parseShadowTopic('$aws/things/lamp/shadow/name/cfg/update/documents')).toEqual({
      thingName: 'lamp',
      shadowName: 'cfg',
      operation: 'update',
      suffix: 'documents',
    });
  });

  it('refuses topics that are not shadow topics', () => {
    for (const topic of [
      '$aws/things/lamp/shadow',
      '$aws/things/lamp/shadow/get/delta',
      '$aws/things/lamp/shadow/delete/documents',
      '$aws/things/lamp/shadow/name/cfg',
      '$aws/things/lamp/shadow/name//get',
      '$aws/things/lamp/shadow/update/accepted/x',
      '$aws/things/la#mp/shadow/get',
      '$aws/things/lamp/jobs/get',
      'fleet/devices/lamp/telemetry',
    ]) {
      expect(parseShadowTopic(topic), topic).toBeUndefined();
    }
  });

  it('parses back every topic it builds', () => {
    const name = fc.stringMatching(/^[a-zA-Z0-9:_-]{1,20}$/);
    const pairs: [ShadowOperation, ShadowTopicSuffix | undefined][] = [
      ['get', undefined],
      ['get', 'accepted'],
      ['get', 'rejected'],
      ['update', undefined],
      ['update', 'accepted'],
      ['update', 'rejected'],
      ['update', 'delta'],
      ['update', 'documents'],
      ['delete', undefined],
      ['delete', 'accepted'],
      ['delete', 'rejected'],
    ];
    fc.assert(
      fc.property(name, fc.option(name, { nil: undefined }), fc.constantFrom(...pairs), (thingName, shadowName, [operation, suffix]) => {
        const parsed = parseShadowTopic(shadowTopic(thingName, shadowName, operation, suffix));
        expect(parsed).toEqual({
          thingName,
          ...(shadowName !== undefined ? { shadowName } : {}),
          operation,
          ...(suffix !== undefined ? { suffix } : {}),
        });
      }),
    );
  });
});
