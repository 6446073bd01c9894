/**
 * Each user's own browser IoT policy (`@fleet/core` iot-policies.ts `browserPolicyNameFor(sub)`),
 * shaped by their device access: every device's telemetry topic, or only the live topics of their
 * granted thing groups. A changed grant becomes a new default version of the policy, which AWS IoT
 * applies to the next message of a connection already open
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-policies.html), so a grant taken
 * away stops a browser's live readings without knowing its Cognito identity.
 *
 * AWS keeps at most five versions of a policy: before a sixth, the oldest version that is not the
 * default is deleted (https://docs.aws.amazon.com/iot/latest/apireference/API_CreatePolicyVersion.html).
 */
import {
  AttachPolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyVersionCommand,
  DetachPolicyCommand,
  GetPolicyCommand,
  ListPolicyVersionsCommand,
  type IoTClient,
} from '@aws-sdk/client-iot';
import { browserPolicyDocument, browserPolicyNameFor, type DeviceAccess, type IotPolicyDocument } from '@fleet/core';
import { awsErrorName, isResourceNotFound } from '../aws-clients.ts';

/** What `update` did to the user's policy. */
export type BrowserPolicyChange = 'created' | 'new-version' | 'unchanged';

export interface BrowserPolicies {
  /**
   * Makes the user's own policy allow `access`: creates it, or writes a new default version when
   * its document differs. Call it whenever a user's grant changes (an admin's `PUT
   * /api/users/{username}/device-access`) with the user's `sub` and their access now.
   */
  update(sub: string, access: DeviceAccess): Promise<BrowserPolicyChange>;
  /**
   * Live access for a Cognito identity: the user's policy up to date and attached, and the shared
   * policy of earlier releases detached (attached policies add up: it would widen a scoped user).
   */
  attach(sub: string, access: DeviceAccess, identityId: string): Promise<BrowserPolicyChange>;
}

export interface BrowserPoliciesDeps {
  readonly iot: Pick<IoTClient, 'send'>;
  readonly region: string;
  readonly account: string;
  /** The shared policy every identity got before per-user policies (`fleet-browser-live`), detached at live access. */
  readonly sharedPolicyName: string;
}

/** AWS IoT keeps at most five versions of a policy. */
const maxPolicyVersions = 5;

/** Two documents say the same when their JSON is the same once parsed (AWS answers the text it was given). */
const sameDocument = (text: string | undefined, document: IotPolicyDocument) => {
  try {
    return text !== undefined && JSON.stringify(JSON.parse(text)) === JSON.stringify(document);
  } catch {
    return false;
  }
};

export function createBrowserPolicies(deps: BrowserPoliciesDeps): BrowserPolicies {
  const { iot } = deps;

  async function currentDocument(policyName: string): Promise<string | undefined> {
    try {
      return (await iot.send(new GetPolicyCommand({ policyName }))).policyDocument ?? '';
    } catch (err) {
      if (isResourceNotFound(err)) return undefined;
      throw err;
    }
  }

  async function newDefaultVersion(policyName: string, policyDocument: string): Promise<void> {
    const { policyVersions = [] } = await iot.send(new ListPolicyVersionsCommand({ policyName }));
    const old = policyVersions
      .filter((v) => !v.isDefaultVersion && v.versionId)
      .sort((a, b) => (a.createDate?.getTime() ?? 0) - (b.createDate?.getTime() ?? 0) || Number(a.versionId) - Number(b.versionId));
    // Room for one more; two concurrent updates may both delete, never below the default.
    for (const v of old.slice(0, Math.max(0, policyVersions.length - (maxPolicyVersions - 1)))) {
      try {
        await iot.send(new DeletePolicyVersionCommand({ policyName, policyVersionId: v.versionId }));
      } catch (err) {
        if (!isResourceNotFound(err)) throw err;
      }
    }
    await iot.send(new CreatePolicyVersionCommand({ policyName, policyDocument, setAsDefault: true }));
  }

  async function update(sub: string, access: DeviceAccess): Promise<BrowserPolicyChange> {
    const policyName = browserPolicyNameFor(sub);
    const document = browserPolicyDocument(deps.region, deps.account, access);
    const policyDocument = JSON.stringify(document);
    const current = await currentDocument(policyName);
    if (current === undefined) {
      try {
        await iot.send(new CreatePolicyCommand({ policyName, policyDocument }));
        return 'created';
      } catch (err) {
        // Created meanwhile by a concurrent call: compare with what it wrote.
        if (awsErrorName(err) !== 'ResourceAlreadyExistsException') throw err;
        return update(sub, access);
      }
    }
    if (sameDocument(current, document)) return 'unchanged';
    await newDefaultVersion(policyName, policyDocument);
    return 'new-version';
  }

  return {
    update,
    async attach(sub, access, identityId) {
      const change = await update(sub, access);
      // Attaching an already attached policy succeeds, so calling this at every sign-in is safe.
      await iot.send(new AttachPolicyCommand({ policyName: browserPolicyNameFor(sub), target: identityId }));
      try {
        await iot.send(new DetachPolicyCommand({ policyName: deps.sharedPolicyName, target: identityId }));
      } catch (err) {
        // A deployment without the shared policy: nothing to detach.
        if (!isResourceNotFound(err)) throw err;
      }
      return change;
    },
  };
}

/** The account id of an ARN of this deployment (`arn:<partition>:<service>:<region>:<account>:...`). */
export function accountOfArn(arn: string): string {
  const account = arn.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`no 12-digit account id in the ARN "${arn}"`);
  return account;
}
