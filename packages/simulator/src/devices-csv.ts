/**
 * `--csv <file>`: the devices a run registered, one row each, for a provisioning record or a
 * spreadsheet. RFC 4180: a header first, CRLF line ends, a field holding a comma, a double quote or
 * a line break quoted, with its double quotes doubled (https://www.rfc-editor.org/rfc/rfc4180#section-2).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface CreatedDevice {
  readonly deviceId: string;
  readonly name: string;
  readonly certificateArn: string;
  readonly certificateId: string;
  readonly certificateFile: string;
  readonly privateKeyFile: string;
  /** Registration time, ISO 8601. */
  readonly createdAt: string;
}

export const createdDeviceColumns = [
  'deviceId',
  'name',
  'certificateArn',
  'certificateId',
  'certificateFile',
  'privateKeyFile',
  'createdAt',
] as const satisfies readonly (keyof CreatedDevice)[];

/** One field, quoted when RFC 4180 requires it. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function devicesCsv(devices: readonly CreatedDevice[]): string {
  const rows = [createdDeviceColumns, ...devices.map((d) => createdDeviceColumns.map((column) => d[column]))];
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

export async function writeDevicesCsv(file: string, devices: readonly CreatedDevice[]): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, devicesCsv(devices));
}
