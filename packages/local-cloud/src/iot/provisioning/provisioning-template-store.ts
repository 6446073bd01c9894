/**
 * The provisioning templates of the control plane, persisted as one JSON document
 * (`<dataDir>/provisioning-templates.json`) rewritten atomically and fsync'ed before a change is
 * answered (the topic rules' pattern): a restart finds every template and version again.
 * Writes are serialized: each change waits for the previous one to be on disk.
 */
import { readJsonFileSync, writeFileAtomically } from '../../durable-files/atomic-file.ts';

export interface TemplateVersionRecord {
  readonly versionId: number;
  readonly templateBody: string;
  /** Epoch ms. */
  readonly creationDate: number;
}

export interface ProvisioningHookRecord {
  readonly targetArn: string;
  readonly payloadVersion?: string;
}

export interface ProvisioningTemplateRecord {
  readonly templateName: string;
  readonly templateArn: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly provisioningRoleArn: string;
  readonly preProvisioningHook?: ProvisioningHookRecord;
  readonly type: 'FLEET_PROVISIONING' | 'JITP';
  readonly defaultVersionId: number;
  readonly versions: readonly TemplateVersionRecord[];
  /** Epoch ms. */
  readonly creationDate: number;
  readonly lastModifiedDate: number;
}

export interface ProvisioningTemplateStore {
  readonly templates: Readonly<Record<string, ProvisioningTemplateRecord>>;
  /** Replaces the templates and resolves once they are on disk; a failed write is not kept. */
  commit(next: Readonly<Record<string, ProvisioningTemplateRecord>>): Promise<void>;
}

export function openProvisioningTemplateStore(file: string): ProvisioningTemplateStore {
  let templates = readJsonFileSync<Record<string, ProvisioningTemplateRecord>>(file, 'the IoT provisioning templates') ?? {};
  let tail: Promise<void> = Promise.resolve();
  return {
    get templates() {
      return templates;
    },
    commit(next) {
      const previous = templates;
      templates = next;
      const write = tail.then(() => writeFileAtomically(file, JSON.stringify(next)));
      tail = write.catch(() => undefined);
      return write.catch((err: unknown) => {
        if (templates === next) templates = previous;
        throw err;
      });
    },
  };
}
