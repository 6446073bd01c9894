/**
 * The AWS IoT control plane (signing name `iot`), REST-JSON as `@aws-sdk/client-iot` calls it:
 * things, certificates (CreateKeysAndCertificate through the local CA), policies, attachments and
 * DescribeEndpoint. Request and response shapes follow the AWS IoT API reference.
 */
import { requestFields, type AwsServiceHandler } from '../../aws-endpoint/index.ts';
import type { LocalCa } from '../ca/local-ca.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import { invalid } from '../registry/iot-registry.ts';
import type { CertificateRecord, ThingRecord } from '../registry/registry-store.ts';
import { boolParam, intParam, paginate, restJsonHandler, type RestRequest } from './rest-json.ts';

export interface ControlPlaneOptions {
  readonly registry: IotRegistry;
  readonly ca: LocalCa;
  /**
   * Host of the broker (e.g. `127.0.0.1`). DescribeEndpoint answers it as AWS answers its
   * `xxxx-ats.iot.<region>.amazonaws.com`: an address without a port. On AWS the ports are fixed
   * (8883 MQTT/TLS, 443 WSS); locally they are the stand-in's `mqttPort` / `wsPort`.
   */
  readonly host: string;
}

const fields = requestFields({ invalid, missing: (name) => invalid(`${name} is required`) });

/** Epoch seconds: restJson1's default timestamp format. */
const seconds = (ms: number) => ms / 1000;

export function createControlPlaneHandler(options: ControlPlaneOptions): AwsServiceHandler {
  const { registry, ca, host } = options;
  // Body members, query parameters and headers alike: absent or empty is missing, another type invalid.
  const required = (value: unknown, name: string): string => fields.requiredString({ [name]: value }, name);
  const principalHeader = (req: RestRequest) => required(req.headers['x-amzn-principal'], 'principal (x-amzn-principal header)');

  const describeThing = (t: ThingRecord) => ({
    defaultClientId: t.thingName,
    thingName: t.thingName,
    thingId: t.thingId,
    thingArn: t.thingArn,
    ...(t.thingTypeName ? { thingTypeName: t.thingTypeName } : {}),
    attributes: t.attributes,
    version: t.version,
  });
  const describeCertificate = (c: CertificateRecord) => ({
    certificateArn: c.certificateArn,
    certificateId: c.certificateId,
    status: c.status,
    certificatePem: c.certificatePem,
    ownedBy: registry.accountId,
    creationDate: seconds(c.creationDate),
    lastModifiedDate: seconds(c.lastModifiedDate),
    customerVersion: 1,
    generationId: String(c.lastModifiedDate),
    validity: { notBefore: seconds(c.notBefore), notAfter: seconds(c.notAfter) },
    certificateMode: 'DEFAULT',
  });
  const policySummary = (p: { policyName: string; policyArn: string }) => ({ policyName: p.policyName, policyArn: p.policyArn });

  return restJsonHandler({
    service: 'iot',
    routes: [
      // ---- things ----
      {
        method: 'POST',
        path: '/things/{thingName}',
        operation: (req) => {
          const body = req.json() as { thingTypeName?: string; attributePayload?: { attributes?: Record<string, string> } };
          const t = registry.createThing({
            thingName: req.labels.thingName as string,
            ...(body.thingTypeName ? { thingTypeName: body.thingTypeName } : {}),
            ...(body.attributePayload?.attributes ? { attributes: body.attributePayload.attributes } : {}),
          });
          return { thingName: t.thingName, thingArn: t.thingArn, thingId: t.thingId };
        },
      },
      {
        method: 'GET',
        path: '/things/{thingName}',
        operation: (req) => describeThing(registry.describeThing(req.labels.thingName as string)),
      },
      {
        method: 'PATCH',
        path: '/things/{thingName}',
        operation: (req) => {
          const body = req.json() as {
            attributePayload?: { attributes?: Record<string, string>; merge?: boolean };
            expectedVersion?: number;
          };
          registry.updateThing({
            thingName: req.labels.thingName as string,
            ...(body.attributePayload?.attributes ? { attributes: body.attributePayload.attributes } : {}),
            merge: body.attributePayload?.merge ?? false,
            ...(body.expectedVersion !== undefined ? { expectedVersion: body.expectedVersion } : {}),
          });
          return {};
        },
      },
      {
        method: 'DELETE',
        path: '/things/{thingName}',
        operation: (req) => registry.deleteThing(req.labels.thingName as string, intParam(req.query, 'expectedVersion')),
      },
      {
        method: 'GET',
        path: '/things',
        operation: (req) => {
          const filter = {
            ...(req.query.get('attributeName') ? { attributeName: req.query.get('attributeName') as string } : {}),
            ...(req.query.get('attributeValue') ? { attributeValue: req.query.get('attributeValue') as string } : {}),
            ...(req.query.get('thingTypeName') ? { thingTypeName: req.query.get('thingTypeName') as string } : {}),
          };
          // AWS: maxResults up to 250.
          const { page, next } = paginate(registry.listThings(filter), req.query.get('nextToken'), intParam(req.query, 'maxResults'), 250);
          return {
            things: page.map((t) => ({
              thingName: t.thingName,
              thingArn: t.thingArn,
              ...(t.thingTypeName ? { thingTypeName: t.thingTypeName } : {}),
              attributes: t.attributes,
              version: t.version,
            })),
            ...(next ? { nextToken: next } : {}),
          };
        },
      },
      // ---- certificates ----
      {
        method: 'POST',
        path: '/keys-and-certificate',
        operation: async (req) => {
          const issued = await ca.issueDeviceCertificate();
          // The private key leaves in this answer only, as on AWS: it is never stored.
          const record = registry.addCertificate(issued, boolParam(req.query, 'setAsActive') ?? false);
          return {
            certificateArn: record.certificateArn,
            certificateId: record.certificateId,
            certificatePem: record.certificatePem,
            keyPair: { PublicKey: issued.publicKeyPem, PrivateKey: issued.privateKeyPem },
          };
        },
      },
      {
        method: 'GET',
        path: '/certificates/{certificateId}',
        operation: (req) => ({
          certificateDescription: describeCertificate(registry.describeCertificate(req.labels.certificateId as string)),
        }),
      },
      {
        method: 'PUT',
        path: '/certificates/{certificateId}',
        operation: (req) =>
          registry.updateCertificate(req.labels.certificateId as string, required(req.query.get('newStatus'), 'newStatus')),
      },
      {
        method: 'DELETE',
        path: '/certificates/{certificateId}',
        operation: (req) => registry.deleteCertificate(req.labels.certificateId as string),
      },
      // ---- policies ----
      {
        method: 'POST',
        path: '/policies/{policyName}',
        operation: (req) => {
          const p = registry.createPolicy(req.labels.policyName as string, req.json().policyDocument);
          return {
            policyName: p.policyName,
            policyArn: p.policyArn,
            policyDocument: p.versions[0]?.document,
            policyVersionId: p.defaultVersionId,
          };
        },
      },
      {
        method: 'GET',
        path: '/policies/{policyName}',
        operation: (req) => {
          const { record, document } = registry.getPolicy(req.labels.policyName as string);
          return {
            policyName: record.policyName,
            policyArn: record.policyArn,
            policyDocument: document,
            defaultVersionId: record.defaultVersionId,
            creationDate: seconds(record.creationDate),
            lastModifiedDate: seconds(record.lastModifiedDate),
            generationId: String(record.lastModifiedDate),
          };
        },
      },
      { method: 'DELETE', path: '/policies/{policyName}', operation: (req) => registry.deletePolicy(req.labels.policyName as string) },
      {
        method: 'GET',
        path: '/policies',
        operation: (req) => {
          let policies = registry.listPolicies();
          if (boolParam(req.query, 'isAscendingOrder') === false) policies = policies.reverse();
          const { page, next } = paginate(policies, req.query.get('marker'), intParam(req.query, 'pageSize'), 250);
          return { policies: page.map(policySummary), ...(next ? { nextMarker: next } : {}) };
        },
      },
      {
        method: 'POST',
        path: '/policies/{policyName}/version',
        operation: (req) => {
          const v = registry.createPolicyVersion(
            req.labels.policyName as string,
            req.json().policyDocument,
            boolParam(req.query, 'setAsDefault') ?? false,
          );
          return {
            policyArn: v.record.policyArn,
            policyDocument: v.document,
            policyVersionId: v.versionId,
            isDefaultVersion: v.isDefaultVersion,
          };
        },
      },
      {
        method: 'PUT',
        path: '/target-policies/{policyName}',
        operation: (req) => registry.attachPolicy(req.labels.policyName as string, required(req.json().target, 'target')),
      },
      {
        method: 'POST',
        path: '/target-policies/{policyName}',
        operation: (req) => registry.detachPolicy(req.labels.policyName as string, required(req.json().target, 'target')),
      },
      {
        method: 'POST',
        path: '/attached-policies/{target}',
        operation: (req) => {
          const policies = registry.listAttachedPolicies(req.labels.target as string);
          const { page, next } = paginate(policies, req.query.get('marker'), intParam(req.query, 'pageSize'), 250);
          return { policies: page.map(policySummary), ...(next ? { nextMarker: next } : {}) };
        },
      },
      // ---- thing principals ----
      {
        method: 'PUT',
        path: '/things/{thingName}/principals',
        operation: (req) => registry.attachThingPrincipal(req.labels.thingName as string, principalHeader(req)),
      },
      {
        method: 'DELETE',
        path: '/things/{thingName}/principals',
        operation: (req) => registry.detachThingPrincipal(req.labels.thingName as string, principalHeader(req)),
      },
      {
        method: 'GET',
        path: '/things/{thingName}/principals',
        operation: (req) => {
          const principals = registry.listThingPrincipals(req.labels.thingName as string);
          const { page, next } = paginate(principals, req.query.get('nextToken'), intParam(req.query, 'maxResults'), 250);
          return { principals: page, ...(next ? { nextToken: next } : {}) };
        },
      },
      {
        method: 'GET',
        path: '/principals/things',
        operation: (req) => {
          const things = registry.listPrincipalThings(principalHeader(req));
          const { page, next } = paginate(things, req.query.get('nextToken'), intParam(req.query, 'maxResults'), 250);
          return { things: page, ...(next ? { nextToken: next } : {}) };
        },
      },
      // ---- endpoint ----
      {
        method: 'GET',
        path: '/endpoint',
        operation: (req) => {
          const endpointType = req.query.get('endpointType') ?? 'iot:Data';
          const known = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'];
          if (!known.includes(endpointType)) throw invalid(`endpointType "${endpointType}" must be one of ${known.join(', ')}`);
          return { endpointAddress: host };
        },
      },
    ],
  });
}
