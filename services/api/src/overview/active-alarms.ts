/**
 * The alarms that are not cleared (ACTIVE and ACKNOWLEDGED), counted by status and severity, and
 * the newest few: read from the Data Service, which owns alarms, page by page of its alarm list
 * (ordered by definition and device, not by time), up to `overviewLimits.maxAlarmsCounted`.
 */
import {
  AlarmPageSchema,
  alarmPaths,
  alarmSeverities,
  overviewLimits,
  overviewLinks,
  type AlarmSeverity,
  type OverviewAlarm,
} from '@fleet/core';
import type { Static } from 'typebox';
import { dataPath } from '../http/relay.ts';
import type { DataServiceClient } from '../telemetry/data-service-client.ts';

type Alarm = Static<typeof AlarmPageSchema>['alarms'][number];
type OpenAlarm = Alarm & { status: OverviewAlarm['status'] };

export async function summarizeActiveAlarms(dataService: Pick<DataServiceClient, 'get'>, accessToken: string) {
  const open: OpenAlarm[] = [];
  let nextToken: string | undefined;
  let more = false;
  do {
    const query = new URLSearchParams({ status: 'ACTIVE,ACKNOWLEDGED', limit: '100', ...(nextToken ? { nextToken } : {}) });
    const page = await dataService.get(AlarmPageSchema, { path: dataPath(alarmPaths.alarms), query: query.toString(), accessToken });
    for (const alarm of page.alarms) if (alarm.status !== 'CLEARED') open.push(alarm as OpenAlarm);
    nextToken = page.nextToken;
    if (nextToken && open.length >= overviewLimits.maxAlarmsCounted) more = true;
  } while (nextToken && !more);

  const counted = open.slice(0, overviewLimits.maxAlarmsCounted);
  const bySeverity = Object.fromEntries(alarmSeverities.map((s) => [s, 0])) as Record<AlarmSeverity, number>;
  const byStatus = { ACTIVE: 0, ACKNOWLEDGED: 0 };
  for (const alarm of counted) {
    bySeverity[alarm.severity]++;
    byStatus[alarm.status]++;
  }
  const newest = [...counted]
    .sort((a, b) => b.activeAt.localeCompare(a.activeAt))
    .slice(0, overviewLimits.newest)
    .map((a): OverviewAlarm => ({
      definitionId: a.definitionId,
      deviceId: a.deviceId,
      name: a.name,
      severity: a.severity,
      status: a.status,
      reason: a.reason,
      activeAt: a.activeAt,
      link: overviewLinks.device(a.deviceId),
    }));
  return {
    available: true as const,
    total: counted.length,
    more: more || open.length > counted.length,
    byStatus,
    bySeverity,
    newest,
    link: overviewLinks.alarms,
  };
}
