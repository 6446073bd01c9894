/**
 * AWS IoT Core's quotas that devices must keep to and the local broker enforces, as AWS does
 * (https://docs.aws.amazon.com/general/latest/gr/iot-core.html#message-broker-limits).
 */
export const iotQuotas = {
  /** Publish requests per second per connection; past it the broker refuses the publish and closes the connection. */
  publishesPerSecondPerConnection: 100,
} as const;
