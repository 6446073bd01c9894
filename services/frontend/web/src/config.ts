/** The runtime configuration the Frontend service serves at /config.json. */
import type { WebRuntimeConfig } from '@fleet/core';

export type RuntimeConfig = WebRuntimeConfig;

export async function loadConfig(): Promise<RuntimeConfig> {
  const res = await fetch('/config.json');
  if (!res.ok) throw new Error(`/config.json answered ${res.status}`);
  return (await res.json()) as RuntimeConfig;
}
