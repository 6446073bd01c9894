import { deviceIdPattern } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { deviceIdFromName, generateDeviceId } from './device-id.ts';
import { iotAttributeValue } from './iot-provisioning.ts';

describe('generateDeviceId', () => {
  it('slugs the name and adds a 6-character suffix without look-alike characters', () => {
    expect(generateDeviceId('Serre Nord — Capteur n°2', () => 0)).toBe('serre-nord-capteur-n-2-aaaaaa');
    expect(generateDeviceId('Café', () => 0)).toBe('cafe-aaaaaa');
    expect(generateDeviceId('Boiler', (max) => max - 1)).toBe('boiler-999999');
  });

  it('falls back to "device" for a name with no usable character and stays within the pattern for long names', () => {
    expect(generateDeviceId('🔥🔥', () => 1)).toBe('device-bbbbbb');
    const long = generateDeviceId('x'.repeat(200));
    expect(long).toMatch(deviceIdPattern);
    expect(long.length).toBeLessThanOrEqual(47);
  });
});

describe('deviceIdFromName', () => {
  it('gives a name the same id every time and different names different ids', () => {
    expect(deviceIdFromName('Boiler 7')).toBe(deviceIdFromName('Boiler 7'));
    expect(deviceIdFromName('Boiler 7')).toMatch(/^boiler-7-[a-z2-9]{6}$/);
    expect(deviceIdFromName('boiler 7')).not.toBe(deviceIdFromName('Boiler 7'));
    expect(deviceIdFromName('🔥')).toMatch(deviceIdPattern);
  });
});

describe('iotAttributeValue', () => {
  it('replaces characters AWS IoT refuses in thing attribute values', () => {
    expect(iotAttributeValue('Greenhouse #2 (north)')).toBe('Greenhouse_#2__north_');
    expect(iotAttributeValue('a'.repeat(900))).toHaveLength(800);
  });
});
