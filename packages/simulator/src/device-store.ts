/**
 * Device credentials kept between runs (`<dir>/<deviceId>/certificate.pem.crt`, `private.pem.key`,
 * the file names AWS IoT's console uses), so the simulator reuses devices instead of registering
 * new ones every time. Private keys are written owner-readable only. The device's outbox (readings
 * not yet acknowledged) lives in the same folder by default.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredDevice {
  readonly deviceId: string;
  readonly cert: string;
  readonly key: string;
}

/** Writes the device's certificate and private key; resolves with where. */
export async function saveDevice(dir: string, device: StoredDevice): Promise<{ certificateFile: string; privateKeyFile: string }> {
  const folder = join(dir, device.deviceId);
  await mkdir(folder, { recursive: true });
  const certificateFile = join(folder, 'certificate.pem.crt');
  const privateKeyFile = join(folder, 'private.pem.key');
  await writeFile(certificateFile, device.cert);
  await writeFile(privateKeyFile, device.key, { mode: 0o600 });
  return { certificateFile, privateKeyFile };
}

/** The device's outbox file (outbox.ts), in its folder under `dir`. */
export const outboxFile = (dir: string, deviceId: string) => join(dir, deviceId, 'outbox.jsonl');

export async function loadDevices(dir: string): Promise<StoredDevice[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const devices: StoredDevice[] = [];
  for (const deviceId of names.sort()) {
    try {
      const [cert, key] = await Promise.all([
        readFile(join(dir, deviceId, 'certificate.pem.crt'), 'utf8'),
        readFile(join(dir, deviceId, 'private.pem.key'), 'utf8'),
      ]);
      devices.push({ deviceId, cert, key });
    } catch {
      // A folder without both files is not a device (an interrupted registration); skip it.
    }
  }
  return devices;
}
