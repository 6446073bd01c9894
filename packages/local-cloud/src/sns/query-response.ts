/**
 * SNS's Query-protocol answers: `<OpResponse xmlns=...><OpResult>...</OpResult><ResponseMetadata>
 * <RequestId/></ResponseMetadata></OpResponse>`. Lists are `<member>` elements and maps `<entry>
 * <key/><value/></entry>`, which is what the SDK's and botocore's XML parsers read.
 */
import { escapeXml } from '../aws-endpoint/query-protocol.ts';

export const snsNamespace = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** A string map, written as `<entry><key/><value/></entry>` elements. */
export class XmlMap {
  constructor(readonly entries: Readonly<Record<string, string>>) {}
}

export type XmlValue = string | number | boolean | undefined | XmlMap | readonly XmlValue[] | { readonly [name: string]: XmlValue };

export function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .map(([key, item]) => `<entry><key>${escapeXml(key)}</key><value>${escapeXml(item)}</value></entry>`)
      .join('');
  }
  if (isList(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  return Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .map(([name, item]) => `<${name}>${toXml(item)}</${name}>`)
    .join('');
}

const isList = (value: XmlValue): value is readonly XmlValue[] => Array.isArray(value);

/** The whole answer document; `result` undefined for operations without output (DeleteTopic, ...). */
export function responseDocument(operation: string, result: XmlValue, requestId: string): string {
  const resultElement = result === undefined ? '' : `<${operation}Result>${toXml(result)}</${operation}Result>`;
  return (
    `<?xml version="1.0"?>\n<${operation}Response xmlns="${snsNamespace}">${resultElement}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  );
}
