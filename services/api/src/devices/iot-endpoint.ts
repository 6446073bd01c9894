/**
 * The host devices connect to: the account's `iot:Data-ATS` endpoint
 * (https://docs.aws.amazon.com/iot/latest/apireference/API_DescribeEndpoint.html), asked once and
 * cached. If the control plane cannot answer, the configured IOT_ENDPOINT is used so that
 * registration does not fail for a display value.
 */
import { DescribeEndpointCommand } from '@aws-sdk/client-iot';
import type { Logger } from 'pino';
import type { ApiClients } from '../aws-clients.ts';

export type IotEndpointResolver = () => Promise<string>;

export function createIotEndpointResolver(deps: { iot: ApiClients['iot']; fallback: string; logger: Logger }): IotEndpointResolver {
  let cached: string | undefined;
  return async () => {
    if (cached) return cached;
    try {
      const out = await deps.iot.send(new DescribeEndpointCommand({ endpointType: 'iot:Data-ATS' }));
      if (!out.endpointAddress) throw new Error('DescribeEndpoint answered without endpointAddress');
      cached = out.endpointAddress;
      return cached;
    } catch (err) {
      deps.logger.warn({ err, fallback: deps.fallback }, 'DescribeEndpoint failed; using IOT_ENDPOINT');
      return deps.fallback;
    }
  };
}
