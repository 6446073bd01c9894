/** The runtime configuration the Frontend service serves at /config.json. */
export interface RuntimeConfig {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  readonly iotWebSocketUrl: string;
  readonly cognitoEndpoint?: string;
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const res = await fetch('/config.json');
  if (!res.ok) throw new Error(`/config.json answered ${res.status}`);
  return (await res.json()) as RuntimeConfig;
}
