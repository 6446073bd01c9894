/**
 * The AWS IoT data plane (signing name `iotdata`), REST-JSON as `@aws-sdk/client-iot-data-plane`
 * calls it. Publish (`POST /topics/{topic}?qos=1`, raw payload body) goes into the broker like a
 * message from a client: subscribers and the rules engine see it. The Device Shadow REST API
 * (GetThingShadow, UpdateThingShadow, DeleteThingShadow, ListNamedShadowsForThing) is
 * ../shadow/shadow-http-routes.ts.
 */
import type { AwsServiceHandler } from '../../aws-endpoint/index.ts';
import { AwsError } from '../../aws-endpoint/index.ts';
import type { ShadowService } from '../shadow/shadow-service.ts';
import { shadowRoutes } from '../shadow/shadow-http-routes.ts';
import { intParam, restJsonHandler } from './rest-json.ts';

/** AWS IoT limit on a message payload. */
export const maxPayloadBytes = 128 * 1024;

export interface DataPlaneOptions {
  readonly publish: (topic: string, payload: Buffer, qos: 0 | 1) => Promise<void>;
  /** The Device Shadow service; without it the shadow operations are unknown. */
  readonly shadows?: ShadowService;
}

export function createDataPlaneHandler(options: DataPlaneOptions): AwsServiceHandler {
  return restJsonHandler({
    service: 'iotdata',
    routes: [
      {
        method: 'POST',
        path: '/topics/{topic}',
        operation: async (req) => {
          const topic = req.labels.topic as string;
          const qos = intParam(req.query, 'qos') ?? 0;
          if (qos !== 0 && qos !== 1) throw new AwsError('InvalidRequestException', `qos must be 0 or 1, received ${qos}`, 400);
          if (topic.length === 0 || topic.includes('+') || topic.includes('#')) {
            throw new AwsError('InvalidRequestException', `"${topic}" is not a valid topic name to publish to`, 400);
          }
          // Lifecycle events are published by the service only.
          if (topic.startsWith('$aws/events/')) throw new AwsError('UnauthorizedException', `Publishing to ${topic} is not allowed`, 401);
          if (req.body.length > maxPayloadBytes) {
            throw new AwsError('RequestEntityTooLargeException', `Payload of ${req.body.length} bytes exceeds ${maxPayloadBytes}`, 413);
          }
          await options.publish(topic, req.body, qos);
          return {};
        },
      },
      ...(options.shadows ? shadowRoutes(options.shadows) : []),
    ],
  });
}
