import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import {
  allDevices,
  deviceAccessLimits,
  DeviceAccessSchema,
  deviceAccessOf,
  grantedThingGroup,
  grantGroupName,
  mayAccessDevice,
} from './device-access.ts';
import { browserPolicyDocument, browserPolicyNameFor, policyDocumentLength } from './iot-policies.ts';
import { topics } from './topics.ts';

describe('device access', () => {
  it('grants a thing group through a user pool group of its own, and reads it back', () => {
    expect(grantGroupName('plant-a')).toBe('thing-group:plant-a');
    expect(grantedThingGroup('thing-group:plant-a')).toBe('plant-a');
    expect(grantedThingGroup('operator')).toBeUndefined();
    expect(grantedThingGroup('thing-group:')).toBeUndefined();
  });

  it('gives every device to a user without grants and to an admin, and only the granted groups to others', () => {
    expect(deviceAccessOf([])).toEqual(allDevices);
    expect(deviceAccessOf(['operator'])).toEqual(allDevices);
    expect(deviceAccessOf(['operator', 'thing-group:b', 'thing-group:a', 'thing-group:a'])).toEqual({ kind: 'groups', groups: ['a', 'b'] });
    expect(deviceAccessOf(['admin', 'thing-group:a'])).toEqual(allDevices);
  });

  it('lets a scoped user reach a device only through one of its groups', () => {
    const access = deviceAccessOf(['viewer', 'thing-group:a']);
    expect(mayAccessDevice(access, ['a', 'x'])).toBe(true);
    expect(mayAccessDevice(access, ['b'])).toBe(false);
    expect(mayAccessDevice(access, [])).toBe(false);
    expect(mayAccessDevice(allDevices, [])).toBe(true);
  });

  it('refuses an empty grant: taking the last group away must say "all" explicitly', () => {
    expect(Value.Check(DeviceAccessSchema, { kind: 'groups', groups: [] })).toBe(false);
    expect(Value.Check(DeviceAccessSchema, { kind: 'groups', groups: ['a', 'a'] })).toBe(false);
    expect(Value.Check(DeviceAccessSchema, { kind: 'groups', groups: ['x'.repeat(deviceAccessLimits.maxGroupNameLength + 1)] })).toBe(
      false,
    );
    expect(Value.Check(DeviceAccessSchema, { kind: 'groups', groups: ['plant-a'] })).toBe(true);
    expect(Value.Check(DeviceAccessSchema, { kind: 'all' })).toBe(true);
  });
});

describe("a user's browser policy", () => {
  it("allows every telemetry topic for all devices, and only the groups' re-published topics for a grant", () => {
    const all = JSON.stringify(browserPolicyDocument('eu-west-1', '123456789012'));
    expect(all).toContain(topics.telemetry('*'));
    const scoped = JSON.stringify(browserPolicyDocument('eu-west-1', '123456789012', { kind: 'groups', groups: ['plant-a'] }));
    expect(scoped).not.toContain('fleet/devices/');
    expect(scoped).toContain('topicfilter/fleet/groups/plant-a/*');
    expect(scoped).toContain('topic/fleet/groups/plant-a/*');
    expect(browserPolicyNameFor('0f8c3b1e-1111-2222-3333-444455556666')).toBe('fleet-browser-live-0f8c3b1e-1111-2222-3333-444455556666');
  });

  it("fits AWS IoT's policy size with the most groups of a typical name length", () => {
    const groups = Array.from({ length: deviceAccessLimits.maxGroups }, (_, i) => `site-${String(i).padStart(3, '0')}-line`);
    const doc = browserPolicyDocument('ap-southeast-2', '123456789012', { kind: 'groups', groups });
    expect(policyDocumentLength(doc)).toBeLessThanOrEqual(deviceAccessLimits.maxPolicyDocumentLength);
  });
});
