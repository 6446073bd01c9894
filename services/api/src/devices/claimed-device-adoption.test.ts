import { DescribeThingCommand, ListThingPrincipalsCommand, ListThingsCommand } from '@aws-sdk/client-iot';
import { claimProvisioningOwner } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import type { ApiClients } from '../aws-clients.ts';
import { claimedDeviceToAdopt, claimedDevicesToAdopt } from './claimed-device-adoption.ts';

const certArn = (id: string) => `arn:aws:iot:us-east-1:000000000000:cert/${id}`;

/** An IoT client answering ListThings in pages of two and ListThingPrincipals from a map. */
function fakeIot(things: { thingName: string; serialNumber: string }[], principals: Record<string, string[]>) {
  const asked: unknown[] = [];
  const iot = {
    send: async (command: unknown) => {
      if (command instanceof ListThingsCommand) {
        asked.push(command.input);
        const start = Number(command.input.nextToken ?? 0);
        const page = things.slice(start, start + 2);
        return {
          things: page.map((t) => ({ thingName: t.thingName, attributes: { serialNumber: t.serialNumber, provisionedBy: 'claim' } })),
          ...(start + 2 < things.length ? { nextToken: String(start + 2) } : {}),
        };
      }
      if (command instanceof DescribeThingCommand) {
        const thing = things.find((t) => t.thingName === command.input.thingName);
        if (!thing) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
        return { thingName: thing.thingName, attributes: { serialNumber: thing.serialNumber, provisionedBy: 'claim' } };
      }
      if (command instanceof ListThingPrincipalsCommand) return { principals: principals[command.input.thingName ?? ''] ?? [] };
      throw new Error('unexpected command');
    },
  } as unknown as ApiClients['iot'];
  return { iot, asked };
}

describe('claimedDevicesToAdopt', () => {
  it('registers claim-provisioned things the registry lacks, across pages, with their certificate and serial as name', async () => {
    const { iot, asked } = fakeIot(
      [
        { thingName: 'fleet-A1', serialNumber: 'A1' },
        { thingName: 'fleet-A2', serialNumber: 'A2' },
        { thingName: 'fleet-A3', serialNumber: 'A3' },
        { thingName: 'bad:name', serialNumber: 'x' },
      ],
      { 'fleet-A1': [certArn('c1')], 'fleet-A3': [certArn('c3')], 'bad:name': [certArn('c4')] },
    );
    const adopted = await claimedDevicesToAdopt(iot, new Map([['fleet-A1', {}]]), () => Date.UTC(2026, 0, 1));
    // fleet-A1 is known; fleet-A2 has no certificate attached yet; bad:name is no Fleet device id.
    expect(adopted).toEqual([
      {
        deviceId: 'fleet-A3',
        name: 'A3',
        ...claimProvisioningOwner,
        createdAt: '2026-01-01T00:00:00.000Z',
        certificateArn: certArn('c3'),
        certificateId: 'c3',
        status: 'active',
      },
    ]);
    expect(asked).toEqual([
      { attributeName: 'provisionedBy', attributeValue: 'claim', maxResults: 250 },
      { attributeName: 'provisionedBy', attributeValue: 'claim', maxResults: 250, nextToken: '2' },
    ]);
  });

  it('adopts one claim-provisioned device asked for by id, and nothing for an unknown or unprefixed id', async () => {
    const { iot } = fakeIot([{ thingName: 'fleet-B1', serialNumber: 'B1' }], { 'fleet-B1': [certArn('b1')] });
    expect(await claimedDeviceToAdopt(iot, 'fleet-B1', () => 0)).toMatchObject({ deviceId: 'fleet-B1', name: 'B1', certificateId: 'b1' });
    expect(await claimedDeviceToAdopt(iot, 'fleet-B2')).toBeUndefined();
    expect(await claimedDeviceToAdopt(iot, 'sensor-1')).toBeUndefined();
  });
});
