/**
 * The newest dead letters (readings the Data Service rejected, with the reason), from the same
 * Data Service route `GET /api/dead-letters` relays, without their payloads: the overview links to
 * the dead-letter screen for those.
 */
import { DeadLetterOverviewSchema, overviewLimits, overviewLinks } from '@fleet/core';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

export async function recentDeadLetters(dataService: Pick<DataServiceClient, 'get'>, accessToken: string) {
  const answer = await dataService.get(DeadLetterOverviewSchema, {
    path: '/data/dead-letters',
    query: `limit=${overviewLimits.newest}`,
    accessToken,
  });
  return {
    available: true as const,
    newest: answer.deadLetters.slice(0, overviewLimits.newest).map((d) => ({
      key: d.key,
      ...(d.deviceId === undefined ? {} : { deviceId: d.deviceId }),
      reason: d.reason,
      receivedAt: d.receivedAt,
      link: overviewLinks.deadLetters,
    })),
    link: overviewLinks.deadLetters,
  };
}
