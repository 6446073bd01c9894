/**
 * The AWS IoT control plane (signing name `iot`), REST-JSON as `@aws-sdk/client-iot` calls it:
 * things, certificates (CreateKeysAndCertificate through the local CA), policies, attachments,
 * static thing groups, IoT Jobs, topic rules and their destinations, fleet provisioning templates, and DescribeEndpoint. Request and response shapes follow the AWS IoT API reference.
 *
 * This file composes the route modules of `routes/` (one per resource group) and answers
 * DescribeEndpoint itself, the one operation that needs the broker's address.
 */
import type { AwsServiceHandler } from '../../aws-endpoint/index.ts';
import type { LocalCa } from '../ca/local-ca.ts';
import type { IotRegistry } from '../registry/iot-registry.ts';
import { invalid } from '../registry/registry-context.ts';
import { restJsonHandler, type RestRoute } from './rest-json.ts';
import { certificateRoutes } from './routes/certificate-routes.ts';
import { policyRoutes } from './routes/policy-routes.ts';
import { thingRoutes } from './routes/thing-routes.ts';
import { thingGroupRoutes } from './routes/thing-group-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { eventConfigurationRoutes } from './routes/event-configuration-routes.ts';
import type { JobsEngine } from '../jobs/jobs-engine.ts';
import type { TopicRules } from '../rules/topic-rules.ts';
import { topicRuleRoutes } from './routes/topic-rule-routes.ts';
import { topicRuleDestinationRoutes } from './routes/topic-rule-destination-routes.ts';
import type { ProvisioningTemplates } from '../provisioning/provisioning-templates.ts';
import { provisioningTemplateRoutes } from './routes/provisioning-template-routes.ts';

export interface ControlPlaneOptions {
  readonly registry: IotRegistry;
  readonly ca: LocalCa;
  /**
   * Host of the broker (e.g. `127.0.0.1`). DescribeEndpoint answers it as AWS answers its
   * `xxxx-ats.iot.<region>.amazonaws.com`: an address without a port. On AWS the ports are fixed
   * (8883 MQTT/TLS, 443 WSS); locally they are the stand-in's `mqttPort` / `wsPort`.
   */
  readonly host: string;
  /** The IoT Jobs stand-in: its control-plane operations, and continuous jobs following thing groups. */
  readonly jobs: JobsEngine;
  /** Topic rules and destinations: what the rules engine runs. */
  readonly topicRules: TopicRules;
  /** Fleet provisioning templates: what RegisterThing runs. */
  readonly provisioningTemplates: ProvisioningTemplates;
}

/** The endpoint types DescribeEndpoint knows (AWS IoT API reference). */
const endpointTypes = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'];

export function createControlPlaneHandler(options: ControlPlaneOptions): AwsServiceHandler {
  const { registry, ca, host, jobs, topicRules, provisioningTemplates } = options;
  const describeEndpoint: RestRoute = {
    method: 'GET',
    path: '/endpoint',
    operation: (req) => {
      const endpointType = req.query.get('endpointType') ?? 'iot:Data';
      if (!endpointTypes.includes(endpointType)) throw invalid(`endpointType "${endpointType}" must be one of ${endpointTypes.join(', ')}`);
      return { endpointAddress: host };
    },
  };
  return restJsonHandler({
    service: 'iot',
    // The registry's operations change it at once and write their journal lines; one fdatasync answers many.
    durable: registry.durable,
    routes: [
      ...thingRoutes(registry),
      ...certificateRoutes(registry, ca),
      ...policyRoutes(registry),
      ...thingGroupRoutes(registry, jobs.onMembershipChange),
      ...jobRoutes(jobs),
      ...eventConfigurationRoutes(registry),
      ...topicRuleRoutes(topicRules),
      ...topicRuleDestinationRoutes(topicRules),
      ...provisioningTemplateRoutes(provisioningTemplates),
      describeEndpoint,
    ],
  });
}
