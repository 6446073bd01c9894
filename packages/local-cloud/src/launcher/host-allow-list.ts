/**
 * The names this machine answers to on the local ports: loopback names and the configured listen
 * host, or, when listening on every interface (`0.0.0.0`, `::`), also this machine's name and
 * interface addresses, which remote clients then use. The AWS port serves only requests whose
 * Host is one of them: a web page that rebinds its own DNS name to 127.0.0.1 (DNS rebinding)
 * still sends its own name, so it is refused. Browser origins are the gateway under these names.
 */
import { hostname, networkInterfaces } from 'node:os';

/** Host names as they appear in a Host header or an origin (IPv6 in brackets), lower case. */
export function localNames(listenHost: string): string[] {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  const add = (name: string) => names.add(name.includes(':') && !name.startsWith('[') ? `[${name.toLowerCase()}]` : name.toLowerCase());
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    add(hostname());
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) add(a.address);
  } else {
    add(listenHost);
  }
  return [...names];
}

export function hostAllowList(listenHost: string): (host: string) => boolean {
  const names = new Set(localNames(listenHost));
  // RFC 6761: `*.localhost` resolves to loopback in browsers and resolvers alike, never through DNS.
  return (host) => names.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}
