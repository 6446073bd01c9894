/**
 * UpdateEventConfigurations and DescribeEventConfigurations (restJson1 paths of
 * `@aws-sdk/client-iot`): which events AWS IoT publishes on `$aws/events/...`
 * (registry/event-configurations.ts).
 */
import type { IotRegistry } from '../../registry/iot-registry.ts';
import { invalid } from '../../registry/registry-context.ts';
import type { RestRoute } from '../rest-json.ts';

export function eventConfigurationRoutes(registry: IotRegistry): RestRoute[] {
  return [
    {
      method: 'GET',
      path: '/event-configurations',
      operation: () => ({ eventConfigurations: registry.describeEventConfigurations() }),
    },
    {
      method: 'PATCH',
      path: '/event-configurations',
      operation: (req) => {
        const configurations = req.json().eventConfigurations ?? {};
        if (configurations === null || typeof configurations !== 'object' || Array.isArray(configurations)) {
          throw invalid('eventConfigurations must be an object of event types');
        }
        registry.updateEventConfigurations(configurations as Record<string, unknown>);
        return {};
      },
    },
  ];
}
