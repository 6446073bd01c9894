/**
 * IAM actions and resources of the AWS IoT control-plane, data-plane and Jobs data-plane REST
 * APIs: the operation is found from the signing name, method and path template of the AWS IoT API
 * Reference, its resource types from the Service Authorization Reference for AWS IoT
 * (`thing/<name>`, `thinggroup/<name>`, `job/<id>`, `cert/<id>`, `policy/<name>`, `topic/<topic>`,
 * `rule/<name>`, `destination/<destination arn>`, `provisioningtemplate/<name>`;
 * operations without a resource type act on `*`). An operation on several resources (CreateJob on
 * its job and its targets) needs each.
 */
import type { AwsRequest } from '../aws-endpoint/aws-request.ts';
import { decodeUriLoosely } from '../aws-endpoint/aws-request.ts';
import { jsonObjectBody, stringField, type AccessCheck } from './access-check.ts';
import type { LocalArns } from './local-arns.ts';

type Resource = (labels: Readonly<Record<string, string>>, arns: LocalArns, req: AwsRequest) => string | readonly string[];
const thing: Resource = (l, arns) => arns.iot(`thing/${l.thingName ?? ''}`);
const thingGroup: Resource = (l, arns) => arns.iot(`thinggroup/${l.thingGroupName ?? ''}`);
const job: Resource = (l, arns) => arns.iot(`job/${l.jobId ?? ''}`);
const jobAndThing: Resource = (l, arns, req) => [job(l, arns, req), thing(l, arns, req)].flat();
/** CreateJob: the job and each target (thing or thing-group ARN) of the body. */
const jobAndTargets: Resource = (l, arns, req) => {
  const targets = jsonObjectBody(req).targets;
  const arnsOfTargets = Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string') : [];
  return [arns.iot(`job/${l.jobId ?? ''}`), ...arnsOfTargets];
};
/** AddThingToThingGroup / RemoveThingFromThingGroup name the group and the thing in the body, by name or ARN. */
const groupAndThingOfBody: Resource = (_l, arns, req) => {
  const body = jsonObjectBody(req);
  const group = stringField(body, 'thingGroupArn') ?? arns.iot(`thinggroup/${stringField(body, 'thingGroupName') ?? ''}`);
  const member = stringField(body, 'thingArn') ?? arns.iot(`thing/${stringField(body, 'thingName') ?? ''}`);
  return [group, member];
};
/** "The thing's name, and the shadow's name, if applicable" (AWS IoT Core action resources): `thing/<thing>/<shadow>`. */
const shadow: Resource = (l, arns, req) => {
  const name = req.query.get('name');
  return arns.iot(`thing/${l.thingName ?? ''}${name === null ? '' : `/${name}`}`);
};
const cert: Resource = (l, arns) => arns.iot(`cert/${l.certificateId ?? ''}`);
const policy: Resource = (l, arns) => arns.iot(`policy/${l.policyName ?? ''}`);
const topic: Resource = (l, arns) => arns.iot(`topic/${l.topic ?? ''}`);
const any: Resource = () => '*';
const rule: Resource = (l, arns) => arns.iot(`rule/${l.ruleName ?? ''}`);
const template: Resource = (l, arns) => arns.iot(`provisioningtemplate/${l.templateName ?? ''}`);
/** CreateProvisioningTemplate names its template in the body. */
const templateOfBody: Resource = (_l, arns, req) =>
  arns.iot(`provisioningtemplate/${stringField(jsonObjectBody(req), 'templateName') ?? ''}`);
/** Service Authorization Reference for AWS IoT: resource type `destination`, `arn:...:destination/${DestinationType}/${Uuid}`. */
const destination =
  (arnOf: (l: Readonly<Record<string, string>>, req: AwsRequest) => string | undefined): Resource =>
  (l, arns, req) => {
    const arn = arnOf(l, req) ?? '';
    const at = arn.indexOf(':ruledestination/');
    return at === -1 ? arns.iot(`destination/${arn}`) : arns.iot(`destination/${arn.slice(at + ':ruledestination/'.length)}`);
  };

/** [method, path template, operation (IAM action name), resource], by signing name. */
const controlAndDataRoutes: readonly (readonly [string, string, string, Resource])[] = [
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
  ['GET', '/policies/{policyName}/version', 'ListPolicyVersions', policy],
  ['DELETE', '/policies/{policyName}/version/{policyVersionId}', 'DeletePolicyVersion', policy],
  ['PUT', '/target-policies/{policyName}', 'AttachPolicy', any],
  ['POST', '/target-policies/{policyName}', 'DetachPolicy', any],
  ['POST', '/attached-policies/{target}', 'ListAttachedPolicies', any],
  ['PUT', '/things/{thingName}/principals', 'AttachThingPrincipal', thing],
  ['DELETE', '/things/{thingName}/principals', 'DetachThingPrincipal', thing],
  ['GET', '/things/{thingName}/principals', 'ListThingPrincipals', thing],
  ['GET', '/principals/things', 'ListPrincipalThings', any],
  ['GET', '/endpoint', 'DescribeEndpoint', any],
  ['GET', '/event-configurations', 'DescribeEventConfigurations', any],
  ['PATCH', '/event-configurations', 'UpdateEventConfigurations', any],
  // Data plane (signing name iotdata); Publish is authorized on the topic.
  ['POST', '/topics/{topic}', 'Publish', topic],
  ['GET', '/things/{thingName}/shadow', 'GetThingShadow', shadow],
  ['POST', '/things/{thingName}/shadow', 'UpdateThingShadow', shadow],
  ['DELETE', '/things/{thingName}/shadow', 'DeleteThingShadow', shadow],
  ['GET', '/api/things/shadow/ListNamedShadowsForThing/{thingName}', 'ListNamedShadowsForThing', thing],
  ['GET', '/retainedMessage/{topic}', 'GetRetainedMessage', topic],
  ['GET', '/retainedMessage', 'ListRetainedMessages', any],
  // Static thing groups.
  ['POST', '/thing-groups/{thingGroupName}', 'CreateThingGroup', thingGroup],
  ['GET', '/thing-groups/{thingGroupName}', 'DescribeThingGroup', thingGroup],
  ['DELETE', '/thing-groups/{thingGroupName}', 'DeleteThingGroup', thingGroup],
  ['GET', '/thing-groups', 'ListThingGroups', any],
  ['PUT', '/thing-groups/addThingToThingGroup', 'AddThingToThingGroup', groupAndThingOfBody],
  ['PUT', '/thing-groups/removeThingFromThingGroup', 'RemoveThingFromThingGroup', groupAndThingOfBody],
  ['GET', '/thing-groups/{thingGroupName}/things', 'ListThingsInThingGroup', thingGroup],
  ['GET', '/things/{thingName}/thing-groups', 'ListThingGroupsForThing', thing],
  // Jobs (control plane).
  ['PUT', '/jobs/{jobId}', 'CreateJob', jobAndTargets],
  ['GET', '/jobs/{jobId}', 'DescribeJob', job],
  ['GET', '/jobs/{jobId}/job-document', 'GetJobDocument', job],
  ['GET', '/jobs', 'ListJobs', any],
  ['PUT', '/jobs/{jobId}/cancel', 'CancelJob', job],
  ['DELETE', '/jobs/{jobId}', 'DeleteJob', job],
  ['GET', '/jobs/{jobId}/things', 'ListJobExecutionsForJob', job],
  ['GET', '/things/{thingName}/jobs/{jobId}', 'DescribeJobExecution', thing],
  ['GET', '/things/{thingName}/jobs', 'ListJobExecutionsForThing', thing],
  ['PUT', '/things/{thingName}/jobs/{jobId}/cancel', 'CancelJobExecution', jobAndThing],
  // Topic rules and topic rule destinations.
  ['POST', '/rules/{ruleName}', 'CreateTopicRule', rule],
  ['PATCH', '/rules/{ruleName}', 'ReplaceTopicRule', rule],
  ['GET', '/rules/{ruleName}', 'GetTopicRule', rule],
  ['DELETE', '/rules/{ruleName}', 'DeleteTopicRule', rule],
  ['POST', '/rules/{ruleName}/enable', 'EnableTopicRule', rule],
  ['POST', '/rules/{ruleName}/disable', 'DisableTopicRule', rule],
  ['GET', '/rules', 'ListTopicRules', any],
  ['POST', '/destinations', 'CreateTopicRuleDestination', any],
  ['GET', '/destinations', 'ListTopicRuleDestinations', any],
  ['PATCH', '/destinations', 'UpdateTopicRuleDestination', destination((_l, req) => stringField(jsonObjectBody(req), 'arn'))],
  ['GET', '/destinations/{arn+}', 'GetTopicRuleDestination', destination((l) => l.arn)],
  ['DELETE', '/destinations/{arn+}', 'DeleteTopicRuleDestination', destination((l) => l.arn)],
  ['GET', '/confirmdestination/{confirmationToken+}', 'ConfirmTopicRuleDestination', any],
  // Fleet provisioning templates.
  ['POST', '/provisioning-templates', 'CreateProvisioningTemplate', templateOfBody],
  ['GET', '/provisioning-templates', 'ListProvisioningTemplates', any],
  ['GET', '/provisioning-templates/{templateName}', 'DescribeProvisioningTemplate', template],
  ['PATCH', '/provisioning-templates/{templateName}', 'UpdateProvisioningTemplate', template],
  ['DELETE', '/provisioning-templates/{templateName}', 'DeleteProvisioningTemplate', template],
  ['POST', '/provisioning-templates/{templateName}/versions', 'CreateProvisioningTemplateVersion', template],
  ['GET', '/provisioning-templates/{templateName}/versions', 'ListProvisioningTemplateVersions', template],
  ['GET', '/provisioning-templates/{templateName}/versions/{versionId}', 'DescribeProvisioningTemplateVersion', template],
  ['DELETE', '/provisioning-templates/{templateName}/versions/{versionId}', 'DeleteProvisioningTemplateVersion', template],
];

/** The Jobs data plane (signing name iot-jobs-data): a device's own executions, on its thing. */
const jobsDataRoutes: readonly (readonly [string, string, string, Resource])[] = [
  ['GET', '/things/{thingName}/jobs', 'GetPendingJobExecutions', thing],
  ['PUT', '/things/{thingName}/jobs/$next', 'StartNextPendingJobExecution', thing],
  ['GET', '/things/{thingName}/jobs/{jobId}', 'DescribeJobExecution', thing],
  ['POST', '/things/{thingName}/jobs/{jobId}', 'UpdateJobExecution', thing],
];

const compile = (routes: readonly (readonly [string, string, string, Resource])[]) =>
  routes.map(([method, path, operation, resource]) => ({ method, segments: path.split('/').filter(Boolean), operation, resource }));
const compiledByService = { default: compile(controlAndDataRoutes), jobsData: compile(jobsDataRoutes) };

export function iotAccess(req: AwsRequest, arns: LocalArns): AccessCheck[] {
  const segments = req.path.split('/').filter(Boolean);
  const compiled = req.service === 'iot-jobs-data' ? compiledByService.jobsData : compiledByService.default;
  for (const route of compiled) {
    const greedy = route.segments[route.segments.length - 1]?.endsWith('+}') === true;
    if (route.method !== req.method.toUpperCase()) continue;
    if (greedy ? segments.length < route.segments.length : route.segments.length !== segments.length) continue;
    const labels: Record<string, string> = {};
    const matches = route.segments.every((expected, i) => {
      const actual = segments[i] ?? '';
      if (greedy && i === route.segments.length - 1) {
        // A greedy label (`{arn+}`) takes the rest of the path.
        labels[expected.slice(1, -2)] = segments.slice(i).map(decodeUriLoosely).join('/');
        return true;
      }
      if (expected.startsWith('{')) {
        labels[expected.slice(1, -1)] = decodeUriLoosely(actual);
        return true;
      }
      return expected === actual;
    });
    if (matches) return [route.resource(labels, arns, req)].flat().map((resource) => ({ action: `iot:${route.operation}`, resource }));
  }
  // Not an operation of the IoT API: only the account root may be answered that it does not exist.
  return [{ action: `iot:${req.method.toUpperCase()}${req.path}`, resource: '*' }];
}
