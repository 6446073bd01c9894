/**
 * `endpoints.json`: one schema, one reader, one writer (`@fleet/core/endpoints-file`). A subpath of
 * its own: it reads files, which the web app's bundle must not pull in.
 */
export * from './endpoints-file-schema.ts';
export * from './read-endpoints-file.ts';
