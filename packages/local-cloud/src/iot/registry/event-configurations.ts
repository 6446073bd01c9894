/**
 * Event configurations (UpdateEventConfigurations, DescribeEventConfigurations): which registry and
 * Jobs events AWS IoT publishes on `$aws/events/...`; all are disabled until enabled
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-events.html). The local cloud
 * publishes the Jobs ones (JOB, JOB_EXECUTION); the other types are stored and answered only.
 */
import { invalid, saveChange, type RegistryContext } from './registry-context.ts';

export const eventTypes = [
  'THING',
  'THING_GROUP',
  'THING_TYPE',
  'THING_GROUP_MEMBERSHIP',
  'THING_GROUP_HIERARCHY',
  'THING_TYPE_ASSOCIATION',
  'JOB',
  'JOB_EXECUTION',
  'POLICY',
  'CERTIFICATE',
  'CA_CERTIFICATE',
] as const;
export type EventType = (typeof eventTypes)[number];

export function describeEventConfigurations(context: RegistryContext): Record<EventType, { Enabled: boolean }> {
  const enabled = context.state.eventConfigurations;
  return Object.fromEntries(eventTypes.map((type) => [type, { Enabled: enabled[type] === true }])) as Record<
    EventType,
    { Enabled: boolean }
  >;
}

export function updateEventConfigurations(context: RegistryContext, configurations: Readonly<Record<string, unknown>>): void {
  const changes: [EventType, boolean][] = [];
  for (const [type, value] of Object.entries(configurations)) {
    if (!(eventTypes as readonly string[]).includes(type))
      throw invalid(`Unknown event type ${type}; expected one of ${eventTypes.join(', ')}`);
    const flag = (value as { Enabled?: unknown } | null)?.Enabled;
    if (typeof flag !== 'boolean') throw invalid(`eventConfigurations.${type}.Enabled must be a boolean`);
    changes.push([type as EventType, flag]);
  }
  for (const [type, flag] of changes) context.state.eventConfigurations[type] = flag;
  saveChange(
    context,
    changes.map(([type]) => ({ put: 'eventConfigurations', key: type })),
  );
}

export const isEventEnabled = (context: RegistryContext, type: EventType): boolean => context.state.eventConfigurations[type] === true;
