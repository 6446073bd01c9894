/**
 * Readable device ids for devices registered without one: a slug of the name and a random
 * suffix ("greenhouse-sensor-k3x9q2"), valid as an AWS IoT thing name and an MQTT topic level.
 */
import { createHash, randomInt } from 'node:crypto';
import { deviceIdPattern } from '@fleet/core';

const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'; // no 0/o or 1/l: the id is read and typed by people

/** A new id derived from `name`; always matches `deviceIdPattern`. */
export function generateDeviceId(name: string, random: (max: number) => number = randomInt): string {
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += alphabet[random(alphabet.length)];
  return idOf(name, suffix);
}

/**
 * The id a device import gives a row without one: the same name always gives the same id, so
 * importing a file again finds its devices registered instead of making them twice. The suffix
 * (30 bits of the name's SHA-256) keeps names with the same slug apart.
 */
export function deviceIdFromName(name: string): string {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += alphabet[(digest[i] as number) % alphabet.length];
  return idOf(name, suffix);
}

function idOf(name: string, suffix: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const id = `${slug || 'device'}-${suffix}`;
  if (!deviceIdPattern.test(id)) throw new Error(`generated device id ${JSON.stringify(id)} does not match ${deviceIdPattern}`);
  return id;
}
