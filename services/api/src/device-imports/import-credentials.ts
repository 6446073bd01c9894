/**
 * The private keys an import generated, held in this task's memory only and handed out once: the
 * task made each key pair for its certificate signing request (`iot-provisioning.ts`) and Fleet
 * stores none, in DynamoDB or anywhere else. They are dropped when the archive is downloaded, after
 * `credentialsTtlMs`, or when the task stops (the certificates stay valid: revoke and re-import
 * those devices, or register them with a CSR, to get new keys). The archive is built at download: a ZIP (fflate)
 * holding each device's certificate and key, the root CA, and a manifest.
 */
import { deviceImportLimits, formatCsvRecords, rootCaFileName } from '@fleet/core';
import { strToU8, zipSync, type Zippable } from 'fflate';

export interface IssuedCredentials {
  readonly deviceId: string;
  readonly name: string;
  readonly group?: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  /** Absent for a row that sent its own CSR: its key never left the device. */
  readonly privateKey?: string;
}

export interface ImportCredentials {
  /** Adds credentials of an import, started at `startedAt` (epoch ms), whose keys expire `credentialsTtlMs` later. */
  add(importId: string, issued: IssuedCredentials): void;
  /** Whether the import's keys are still held here. */
  has(importId: string): boolean;
  /** Hands out the import's credentials and forgets them; undefined when they are not held (any more). */
  take(importId: string): readonly IssuedCredentials[] | undefined;
}

export function createImportCredentials(deps: { now?: () => number } = {}): ImportCredentials {
  const now = deps.now ?? Date.now;
  const held = new Map<string, { expiresAt: number; issued: IssuedCredentials[] }>();
  const sweep = () => {
    for (const [importId, entry] of held) if (entry.expiresAt <= now()) held.delete(importId);
  };
  return {
    add(importId, issued) {
      let entry = held.get(importId);
      if (!entry) {
        sweep();
        entry = { expiresAt: now() + deviceImportLimits.credentialsTtlMs, issued: [] };
        held.set(importId, entry);
      }
      entry.issued.push(issued);
    },
    has(importId) {
      sweep();
      return held.has(importId);
    },
    take(importId) {
      sweep();
      const entry = held.get(importId);
      held.delete(importId);
      return entry?.issued;
    },
  };
}

/**
 * The archive of an import's credentials: `<deviceId>.cert.pem`, `<deviceId>.private.key` (not for a
 * row with its own CSR), `root-ca.pem`, and `manifest.csv` saying whose key was made here (`generated`)
 * and whose stays on the device (`csr`).
 */
export function credentialsArchive(issued: readonly IssuedCredentials[], rootCaPem: string): Uint8Array {
  const files: Zippable = { [rootCaFileName]: strToU8(rootCaPem) };
  for (const device of issued) {
    files[`${device.deviceId}.cert.pem`] = strToU8(device.certificatePem);
    if (device.privateKey !== undefined) files[`${device.deviceId}.private.key`] = strToU8(device.privateKey);
  }
  const manifest = [
    ['deviceId', 'name', 'group', 'certificateId', 'keySource'],
    ...[...issued]
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId))
      .map((d) => [d.deviceId, d.name, d.group ?? '', d.certificateId, d.privateKey === undefined ? 'csr' : 'generated']),
  ];
  files['manifest.csv'] = strToU8(formatCsvRecords(manifest));
  return zipSync(files, { level: 6 });
}
