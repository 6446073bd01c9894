/** A port the tests start the platform on, so that runs can go side by side. */
export { freePort } from '@fleet/core/testing';
