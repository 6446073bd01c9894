/**
 * The AWS IoT registry: things, certificates, policies and their attachments, with the
 * validation and error codes of the AWS IoT API reference
 * (https://docs.aws.amazon.com/iot/latest/apireference/). Operations throw `AwsError` for the
 * outcomes AWS reports as errors; the control plane turns them into HTTP answers.
 *
 * This file composes: the state is a `RegistryContext` (registry-context.ts) and each group of
 * operations is a module taking it (things.ts, certificates.ts, policies.ts, attachments.ts).
 */
import {
  attachPolicy,
  attachThingPrincipal,
  detachPolicy,
  detachThingPrincipal,
  isThingAttachedTo,
  listAttachedPolicies,
  listPrincipalThings,
  listThingPrincipals,
  policyDocumentsOf,
} from './attachments.ts';
import { describeEventConfigurations, isEventEnabled, updateEventConfigurations } from './event-configurations.ts';
import {
  addCertificate,
  deleteCertificate,
  describeCertificate,
  findCertificate,
  listCertificates,
  updateCertificate,
} from './certificates.ts';
import {
  createPolicy,
  createPolicyVersion,
  deletePolicy,
  deletePolicyVersion,
  getPolicy,
  listPolicies,
  listPolicyVersions,
} from './policies.ts';
import {
  certificateIdOfArn,
  createRegistryContext,
  type CertificateListener,
  type IotRegistryOptions,
  type RegistryContext,
} from './registry-context.ts';
import {
  addThingToThingGroup,
  ancestorsOf,
  createThingGroup,
  deleteThingGroup,
  listThingGroups,
  listThingGroupsForThing,
  listThingsInThingGroup,
  removeThingFromThingGroup,
  requireThingGroup,
} from './thing-groups.ts';
import { createThing, deleteThing, describeThing, listThings, updateThing } from './things.ts';

export type { CertificateListener, IotRegistryOptions } from './registry-context.ts';

export type IotRegistry = ReturnType<typeof createIotRegistry>;

export function createIotRegistry(options: IotRegistryOptions) {
  const context = createRegistryContext(options);
  /** An operation module's function with this registry's context bound. */
  const bound =
    <A extends unknown[], R>(operation: (context: RegistryContext, ...args: A) => R) =>
    (...args: A): R =>
      operation(context, ...args);

  return {
    accountId: context.accountId,
    get revision() {
      return context.revision;
    },
    arn: context.arn,
    certificateIdOfArn: bound(certificateIdOfArn),
    /** Called when a certificate changes status or is deleted (the broker drops its connections). */
    onCertificateChange: (listener: CertificateListener) => void context.certificateListeners.push(listener),
    /**
     * Resolves once every change made so far is on disk. Operations change the registry at once (the
     * broker sees them); whoever answers one, to an AWS caller or a device, awaits this first.
     */
    durable: () => context.store.durable(),

    createThing: bound(createThing),
    describeThing: bound(describeThing),
    listThings: bound(listThings),
    updateThing: bound(updateThing),
    deleteThing: bound(deleteThing),

    addCertificate: bound(addCertificate),
    describeCertificate: bound(describeCertificate),
    findCertificate: bound(findCertificate),
    listCertificates: bound(listCertificates),
    updateCertificate: bound(updateCertificate),
    deleteCertificate: bound(deleteCertificate),

    createPolicy: bound(createPolicy),
    getPolicy: bound(getPolicy),
    listPolicies: bound(listPolicies),
    createPolicyVersion: bound(createPolicyVersion),
    listPolicyVersions: bound(listPolicyVersions),
    deletePolicyVersion: bound(deletePolicyVersion),
    deletePolicy: bound(deletePolicy),

    attachPolicy: bound(attachPolicy),
    detachPolicy: bound(detachPolicy),
    listAttachedPolicies: bound(listAttachedPolicies),
    /** The broker asks on every publish and delivery: a direct call, no argument spreading. */
    policyDocumentsOf: (principal: string) => policyDocumentsOf(context, principal),

    attachThingPrincipal: bound(attachThingPrincipal),
    detachThingPrincipal: bound(detachThingPrincipal),
    listThingPrincipals: bound(listThingPrincipals),
    listPrincipalThings: bound(listPrincipalThings),
    isThingAttachedTo: bound(isThingAttachedTo),

    createThingGroup: bound(createThingGroup),
    describeThingGroup: bound(requireThingGroup),
    thingGroupAncestors: bound(ancestorsOf),
    deleteThingGroup: bound(deleteThingGroup),
    listThingGroups: bound(listThingGroups),
    addThingToThingGroup: bound(addThingToThingGroup),
    removeThingFromThingGroup: bound(removeThingFromThingGroup),
    listThingsInThingGroup: bound(listThingsInThingGroup),
    listThingGroupsForThing: bound(listThingGroupsForThing),

    describeEventConfigurations: bound(describeEventConfigurations),
    updateEventConfigurations: bound(updateEventConfigurations),
    isEventEnabled: bound(isEventEnabled),
  };
}
