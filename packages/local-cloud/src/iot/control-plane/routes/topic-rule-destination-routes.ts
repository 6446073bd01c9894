/**
 * Control-plane routes of topic rule destinations for the HTTP action (restJson1 paths of
 * `@aws-sdk/client-iot`): CreateTopicRuleDestination (`httpUrlConfiguration.confirmationUrl`; VPC
 * destinations are refused), ConfirmTopicRuleDestination (`GET /confirmdestination/{token+}`, also
 * the `enableUrl` of the confirmation message), GetTopicRuleDestination and
 * DeleteTopicRuleDestination (`/destinations/{arn+}`), ListTopicRuleDestinations,
 * UpdateTopicRuleDestination (`PATCH /destinations` with `arn` and `status`).
 */
import { AwsError } from '../../../aws-endpoint/index.ts';
import type { DestinationRecord } from '../../rules/topic-rule-store.ts';
import type { TopicRules } from '../../rules/topic-rules.ts';
import { epochSeconds, intParam, paginate, requiredString, type RestRoute } from '../rest-json.ts';

/** AWS: ListTopicRuleDestinations maxResults 1–1,000. */
const maxPage = 1000;

const destinationView = (d: DestinationRecord) => ({
  arn: d.arn,
  status: d.status,
  statusReason: d.statusReason,
  createdAt: epochSeconds(d.createdAt),
  lastUpdatedAt: epochSeconds(d.lastUpdatedAt),
  httpUrlProperties: { confirmationUrl: d.confirmationUrl },
});

export function topicRuleDestinationRoutes(rules: TopicRules): RestRoute[] {
  return [
    {
      method: 'POST',
      path: '/destinations',
      operation: async (req) => {
        const configuration = req.json().destinationConfiguration as Record<string, unknown> | undefined;
        const http = configuration?.httpUrlConfiguration as Record<string, unknown> | undefined;
        if (!http) {
          throw new AwsError(
            'InvalidRequestException',
            'destinationConfiguration.httpUrlConfiguration is required: the local cloud has HTTP destinations only (no VPC)',
            400,
          );
        }
        const created = await rules.createDestination(requiredString(http.confirmationUrl, 'confirmationUrl'));
        return { topicRuleDestination: destinationView(created) };
      },
    },
    {
      method: 'GET',
      path: '/confirmdestination/{confirmationToken+}',
      operation: async (req) => void (await rules.confirmDestination(req.labels.confirmationToken as string)),
    },
    {
      method: 'GET',
      path: '/destinations/{arn+}',
      operation: (req) => ({ topicRuleDestination: destinationView(rules.getDestination(req.labels.arn as string)) }),
    },
    {
      method: 'DELETE',
      path: '/destinations/{arn+}',
      operation: async (req) => void (await rules.deleteDestination(req.labels.arn as string)),
    },
    {
      method: 'GET',
      path: '/destinations',
      operation: (req) => {
        const { page, next } = paginate(rules.listDestinations(), req.query.get('nextToken'), intParam(req.query, 'maxResults'), maxPage);
        return {
          destinationSummaries: page.map((d) => ({
            arn: d.arn,
            status: d.status,
            statusReason: d.statusReason,
            createdAt: epochSeconds(d.createdAt),
            lastUpdatedAt: epochSeconds(d.lastUpdatedAt),
            httpUrlSummary: { confirmationUrl: d.confirmationUrl },
          })),
          ...(next ? { nextToken: next } : {}),
        };
      },
    },
    {
      method: 'PATCH',
      path: '/destinations',
      operation: async (req) => {
        const body = req.json();
        await rules.updateDestination(requiredString(body.arn, 'arn'), requiredString(body.status, 'status'));
      },
    },
  ];
}
