/**
 * Which bucket and key a path-style S3 request names (`/<bucket>/<key>`), decoded as s3rver's
 * router decodes them (one `decodeURIComponent` of each part, the raw text when that fails).
 */
import { decodeUriLoosely } from '../aws-endpoint/aws-request.ts';

export interface S3Target {
  /** Undefined for the service itself (`GET /`: ListBuckets). */
  readonly bucket?: string;
  /** Undefined for a bucket-level request. */
  readonly key?: string;
}

export function s3Target(path: string): S3Target {
  const rest = path.startsWith('/') ? path.slice(1) : path;
  if (rest === '') return {};
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: decodeUriLoosely(rest) };
  const key = rest.slice(slash + 1);
  return { bucket: decodeUriLoosely(rest.slice(0, slash)), ...(key === '' ? {} : { key: decodeUriLoosely(key) }) };
}

/** The keys of a DeleteObjects request body (`<Delete><Object><Key>…</Key></Object>…</Delete>`). */
export function deleteObjectsKeys(body: Buffer): string[] {
  return [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1] ?? ''));
}

/** The bucket and key of `x-amz-copy-source` (`bucket/key` or `/bucket/key`, URL-encoded, optional `?versionId=`). */
export function copySource(header: string): S3Target {
  const withoutVersion = header.replace(/\?versionId=.*$/, '');
  return s3Target(withoutVersion.startsWith('/') ? withoutVersion : `/${withoutVersion}`);
}

export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (all, entity: string) => {
    if (entity === 'amp') return '&';
    if (entity === 'lt') return '<';
    if (entity === 'gt') return '>';
    if (entity === 'quot') return '"';
    if (entity === 'apos') return "'";
    const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : all;
  });
}
