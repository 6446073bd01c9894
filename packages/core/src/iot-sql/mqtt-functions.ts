/**
 * Functions that read the MQTT 5 properties of the triggering PUBLISH
 * (https://docs.aws.amazon.com/iot/latest/developerguide/iot-sql-functions.html#iot-sql-function-get-mqtt-property).
 */
import { base64Encode } from './base64.ts';
import type { SqlFunctionEntry } from './function-entry.ts';
import { toSqlString, type SqlValue } from './values.ts';

/**
 * `get_mqtt_property(name)`: `format_indicator` ("UNSPECIFIED_BYTES" or "UTF8_DATA"), `content_type`,
 * `response_topic`, or `correlation_data` (base64, as binary data cannot be a JSON value).
 * An absent property, or another name, is Undefined.
 */
const getMqttProperty: SqlFunctionEntry['fn'] = ([name], ctx): SqlValue => {
  const props = ctx.mqtt5;
  switch (typeof name === 'string' ? name.toLowerCase() : undefined) {
    case 'format_indicator':
      return props.payloadFormatIndicator === undefined
        ? undefined
        : props.payloadFormatIndicator === 1
          ? 'UTF8_DATA'
          : 'UNSPECIFIED_BYTES';
    case 'content_type':
      return props.contentType;
    case 'response_topic':
      return props.responseTopic;
    case 'correlation_data':
      return props.correlationData === undefined ? undefined : base64Encode(props.correlationData);
    default:
      return undefined;
  }
};

/** `get_user_properties(key)`: the values of every user property named `key`, in order (a key may repeat). */
const getUserProperties: SqlFunctionEntry['fn'] = ([key], ctx): SqlValue => {
  const wanted = toSqlString(key);
  if (wanted === undefined) return undefined;
  const values = (ctx.mqtt5.userProperties ?? []).filter(([k]) => k === wanted).map(([, v]) => v);
  return values.length === 0 ? undefined : values;
};

export const mqttFunctions: Readonly<Record<string, SqlFunctionEntry>> = {
  get_mqtt_property: { fn: getMqttProperty, min: 1, max: 1 },
  get_user_properties: { fn: getUserProperties, min: 1, max: 1 },
};
