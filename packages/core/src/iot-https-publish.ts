/**
 * AWS IoT Core's HTTPS publish, as devices see it: `POST https://<iot:Data-ATS endpoint>:8443/topics/<topic>?qos=1`
 * with the device's X.509 certificate (mutual TLS) and the payload as the body
 * (https://docs.aws.amazon.com/iot/latest/developerguide/http.html). Defined once for the local
 * stand-in, the simulator, the web app's curl command and the tests.
 */

/** AWS IoT's HTTPS port for client-certificate publishes; fixed on AWS, the local default too. */
export const iotHttpsPublishPort = 8443;

/** The request path of a publish to `topic`: each topic level URL-encoded, its slashes kept, as AWS's examples write it. */
export function iotHttpsPublishPath(topic: string, qos: 0 | 1 = 1): string {
  return `/topics/${topic.split('/').map(encodeURIComponent).join('/')}?qos=${qos}`;
}

/** AWS IoT's answer body: `{ "message": "OK", "traceId": "<uuid>" }`, and the same shape for refusals. */
export interface IotHttpsPublishAnswer {
  readonly message: string;
  readonly traceId: string;
}

/** The `message` of each answer, by HTTP status. */
export const iotHttpsPublishMessages = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
} as const;

export type IotHttpsPublishStatus = keyof typeof iotHttpsPublishMessages;

/** Statuses a client sends the same publish again for (with backoff): throttled, or not made durable. */
export function isRetryableIotHttpsStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
