/**
 * IAM actions and resources of the AWS IoT control-plane and data-plane REST APIs: the operation
 * is found from the method and path template of the AWS IoT API Reference, its resource type from
 * the Service Authorization Reference for AWS IoT (`thing/<name>`, `cert/<id>`, `policy/<name>`,
 * `topic/<topic>`; operations without a resource type act on `*`).
 */
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { decodeUriLoosely } from '../aws-endpoint/aws-request.ts';
import type { AccessCheck } from './access-check.ts';
import type { LocalArns } from './local-arns.ts';

type Resource = (labels: Readonly<Record<string, string>>, arns: LocalArns, query: URLSearchParams) => string;
const thing: Resource = (l, arns) => arns.iot(`thing/${l.thingName ?? ''}`);
/** "The thing's name, and the shadow's name, if applicable" (AWS IoT Core action resources): `thing/<thing>/<shadow>`. */
const shadow: Resource = (l, arns, query) => {
  const name = query.get('name');
  return arns.iot(`thing/${l.thingName ?? ''}${name === null ? '' : `/${name}`}`);
};
const cert: Resource = (l, arns) => arns.iot(`cert/${l.certificateId ?? ''}`);
const policy: Resource = (l, arns) => arns.iot(`policy/${l.policyName ?? ''}`);
const topic: Resource = (l, arns) => arns.iot(`topic/${l.topic ?? ''}`);
const any: Resource = () => '*';

/** [method, path template, operation (IAM action name), resource]. */
const routes: readonly (readonly [string, string, string, Resource])[] = [
  ['POST', '/things/{thingName}', 'CreateThing', thing],
  ['GET', '/things/{thingName}', 'DescribeThing', thing],
  ['PATCH', '/things/{thingName}', 'UpdateThing', thing],
  ['DELETE', '/things/{thingName}', 'DeleteThing', thing],
  ['GET', '/things', 'ListThings', any],
  ['POST', '/keys-and-certificate', 'CreateKeysAndCertificate', any],
  ['POST', '/certificates', 'CreateCertificateFromCsr', any],
  ['GET', '/certificates/{certificateId}', 'DescribeCertificate', cert],
  ['PUT', '/certificates/{certificateId}', 'UpdateCertificate', cert],
  ['DELETE', '/certificates/{certificateId}', 'DeleteCertificate', cert],
  ['GET', '/certificates', 'ListCertificates', any],
  ['POST', '/policies/{policyName}', 'CreatePolicy', policy],
  ['GET', '/policies/{policyName}', 'GetPolicy', policy],
  ['DELETE', '/policies/{policyName}', 'DeletePolicy', policy],
  ['GET', '/policies', 'ListPolicies', any],
  ['POST', '/policies/{policyName}/version', 'CreatePolicyVersion', policy],
  ['PUT', '/target-policies/{policyName}', 'AttachPolicy', any],
  ['POST', '/target-policies/{policyName}', 'DetachPolicy', any],
  ['POST', '/attached-policies/{target}', 'ListAttachedPolicies', any],
  ['PUT', '/things/{thingName}/principals', 'AttachThingPrincipal', thing],
  ['DELETE', '/things/{thingName}/principals', 'DetachThingPrincipal', thing],
  ['GET', '/things/{thingName}/principals', 'ListThingPrincipals', thing],
  ['GET', '/principals/things', 'ListPrincipalThings', any],
  ['GET', '/endpoint', 'DescribeEndpoint', any],
  // Data plane (signing name iotdata); Publish is authorized on the topic.
  ['POST', '/topics/{topic}', 'Publish', topic],
  ['GET', '/things/{thingName}/shadow', 'GetThingShadow', shadow],
  ['POST', '/things/{thingName}/shadow', 'UpdateThingShadow', shadow],
  ['DELETE', '/things/{thingName}/shadow', 'DeleteThingShadow', shadow],
  ['GET', '/api/things/shadow/ListNamedShadowsForThing/{thingName}', 'ListNamedShadowsForThing', thing],
  ['GET', '/retainedMessage/{topic}', 'GetRetainedMessage', topic],
  ['GET', '/retainedMessage', 'ListRetainedMessages', any],
];

const compiled = routes.map(([method, path, operation, resource]) => ({
  method,
  segments: path.split('/').filter(Boolean),
  operation,
  resource,
}));

export function iotAccess(req: AwsRequest, arns: LocalArns): AccessCheck[] {
  const segments = req.path.split('/').filter(Boolean);
  for (const route of compiled) {
    if (route.method !== req.method.toUpperCase() || route.segments.length !== segments.length) continue;
    const labels: Record<string, string> = {};
    const matches = route.segments.every((expected, i) => {
      const actual = segments[i] ?? '';
      if (expected.startsWith('{')) {
        labels[expected.slice(1, -1)] = decodeUriLoosely(actual);
        return true;
      }
      return expected === actual;
    });
    if (matches) return [{ action: `iot:${route.operation}`, resource: route.resource(labels, arns, req.query) }];
  }
  // Not an operation of the IoT API: only the account root may be answered that it does not exist.
  return [{ action: `iot:${req.method.toUpperCase()}${req.path}`, resource: '*' }];
}
