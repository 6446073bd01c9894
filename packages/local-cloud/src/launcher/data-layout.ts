/**
 * Where the local cloud keeps its state: one folder per stand-in, `<data>/<stand-in>/...`, handed
 * to each stand-in as its `dataDir` by the launcher and by no one else, plus the launcher's own
 * files at the top. packages/local-cloud/README.md draws the whole tree.
 */
import { join } from 'node:path';

/** The stand-ins that keep state, each in the folder of this name under the data folder. */
export const standInFolders = ['dynamodb', 's3', 'sqs', 'sns', 'cognito', 'cloudwatch', 'iot'] as const;
export type StandInFolder = (typeof standInFolders)[number];

export interface DataLayout {
  readonly root: string;
  /** Each stand-in's own folder. */
  readonly standIns: Readonly<Record<StandInFolder, string>>;
  /** Root and task credentials of the AWS port (the launcher's). */
  readonly credentialsFile: string;
  /** Everything a client needs to reach the platform (the launcher's). */
  readonly endpointsFile: string;
  /** The three services' output, one `<service>.log` each (the launcher's). */
  readonly serviceLogs: string;
  /** The fleet provisioning claim certificate and key (the launcher's, fleet-provisioning-setup.ts). */
  readonly claimDir: string;
}

export function dataLayout(root: string): DataLayout {
  return {
    root,
    standIns: Object.fromEntries(standInFolders.map((name) => [name, join(root, name)])) as Record<StandInFolder, string>,
    credentialsFile: join(root, 'credentials.json'),
    endpointsFile: join(root, 'endpoints.json'),
    serviceLogs: join(root, 'logs'),
    claimDir: join(root, 'claim'),
  };
}
