/**
 * The request targets the gateway accepts: origin-form only (RFC 9112 §3.2.1, `/path?query`), the
 * way CloudFront and API Gateway see a request. Absolute-form (`http://host/x`), authority-form and
 * asterisk-form (`*`) are for proxies and OPTIONS, which the gateway is not; so is anything a URL
 * parser could read as another host (`//host/x`, `/\host`). The path is normalized (RFC 3986
 * §6.2.2: unreserved characters decoded, hex digits upper-cased) and refused when it holds an empty
 * segment, a dot segment or an encoded `/` or `\`: each means different paths to different parsers,
 * so the route the gateway matches might not be the path the service serves.
 */
import { maxRequestTargetLength } from '@fleet/core';

export type RequestTarget =
  | { readonly ok: true; readonly path: string; /** Without the `?`; empty when there is none. */ readonly query: string }
  | { readonly ok: false; readonly status: 400 | 414; readonly message: string };

/** RFC 3986 `pchar` (unreserved, sub-delims, ":", "@") and "/", or a percent-encoded octet. */
const pathChars = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
/** Queries are looser in practice (browsers send `[`, `]`, `|` unencoded): any visible ASCII but `#`. */
const queryChars = /^(?:[\x21-\x22\x24-\x7e])*$/;
const unreserved = /[A-Za-z0-9\-._~]/;

const shown = (target: string) => JSON.stringify(target.length > 80 ? `${target.slice(0, 80)}…` : target);

export function parseRequestTarget(target: string): RequestTarget {
  const bad = (why: string): RequestTarget => ({
    ok: false,
    status: 400,
    message: `Request target ${shown(target)} ${why}; expected an origin-form target "/path?query" (RFC 9112 §3.2.1)`,
  });
  if (target.length > maxRequestTargetLength) {
    return {
      ok: false,
      status: 414,
      message: `Request target is ${target.length} characters, at most ${maxRequestTargetLength} are accepted`,
    };
  }
  if (!target.startsWith('/')) return bad('is not origin-form');
  const mark = target.indexOf('?');
  const rawPath = mark === -1 ? target : target.slice(0, mark);
  const query = mark === -1 ? '' : target.slice(mark + 1);
  if (!pathChars.test(rawPath)) return bad('has a character that must be percent-encoded in a path, or a broken %-escape');
  if (!queryChars.test(query)) return bad('has a control, space, "#" or non-ASCII character in its query');

  const segments = rawPath.slice(1).split('/').map(normalizeSegment);
  for (const [i, segment] of segments.entries()) {
    // A trailing slash leaves one empty last segment, which is an ordinary path.
    if (segment === '' && i < segments.length - 1) return bad('has an empty path segment ("//")');
    if (segment === '.' || segment === '..') return bad('has a dot segment ("." or "..")');
    if (/%(2F|5C)/.test(segment)) return bad('has an encoded "/" or "\\" in a path segment');
  }
  return { ok: true, path: `/${segments.join('/')}`, query };
}

/** RFC 3986 §6.2.2.1–2: percent-encoded unreserved characters decoded, other escapes upper-cased. */
function normalizeSegment(segment: string): string {
  return segment.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return unreserved.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}
