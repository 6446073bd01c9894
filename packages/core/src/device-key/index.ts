/**
 * A device's EC P-256 key and CSR (`@fleet/core/device-key`). A subpath of its own: it needs
 * @peculiar/x509 and Node's crypto, which the web app's bundle must not pull in.
 */
export * from './device-key.ts';
