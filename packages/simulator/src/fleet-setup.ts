/**
 * The simulator's devices provisioned by claim (claim-provisioning.ts): those stored from an earlier
 * run are reused, new ones stored as each is ready (device-store.ts), so that an interrupted run keeps
 * what it made.
 */
import { readFile } from 'node:fs/promises';
import { claimThingName, serialNumberPattern } from '@fleet/core';
import { provisionFleetByClaim } from './claim-provisioning.ts';
import { loadDevices, saveDevice, type StoredDevice } from './device-store.ts';

/** The claim certificate, its key and the template devices register with. */
export interface ClaimFiles {
  readonly templateName: string;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
}

export interface FleetOptions {
  readonly devices: number;
  readonly prefix: string;
  readonly storeDir: string;
}

/** Device n of the run: `<prefix>-0001` … */
const nthName = (prefix: string, n: number) => `${prefix}-${String(n).padStart(4, '0')}`;

/** Provisions the devices not stored yet by claim: serial `<prefix>-<n>`, thing `fleet-<prefix>-<n>`. */
export async function fleetByClaim(
  stored: ReadonlyMap<string, StoredDevice>,
  o: FleetOptions & {
    readonly ca: string | undefined;
    readonly host: string;
    readonly port: number;
    readonly claim: ClaimFiles & { connections: number; csr: boolean };
  },
): Promise<StoredDevice[]> {
  const serials = Array.from({ length: o.devices }, (_, i) => nthName(o.prefix, i + 1));
  const bad = serials.find((serial) => !serialNumberPattern.test(serial));
  if (bad !== undefined) throw new Error(`serial number ${bad} does not match ${String(serialNumberPattern)}: choose another --prefix`);
  const missing = serials.filter((serial) => !stored.has(claimThingName(serial)));
  let done = 0;
  const [cert, key] = await Promise.all([readFile(o.claim.certificateFile, 'utf8'), readFile(o.claim.privateKeyFile, 'utf8')]);
  await provisionFleetByClaim(
    { host: o.host, port: o.port, ...(o.ca === undefined ? {} : { ca: o.ca }), cert, key, templateName: o.claim.templateName },
    missing,
    {
      connections: o.claim.connections,
      csr: o.claim.csr,
      onDevice: async (device) => {
        await saveDevice(o.storeDir, device);
        process.stdout.write(`\r  provisioned ${++done} of ${missing.length} by claim   `);
      },
    },
  );
  if (missing.length > 0) process.stdout.write('\n');
  const fleet = (await loadDevices(o.storeDir)).filter((d) => serials.some((serial) => claimThingName(serial) === d.deviceId));
  return serials.map((serial) => fleet.find((d) => d.deviceId === claimThingName(serial)) as StoredDevice);
}
