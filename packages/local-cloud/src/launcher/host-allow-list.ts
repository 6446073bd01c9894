/**
 * The Host names the local AWS endpoint answers: loopback names, and the configured listen host.
 * A web page that rebinds its own DNS name to 127.0.0.1 (DNS rebinding) still sends its own name
 * in Host, so it is refused. Listening on every interface (`0.0.0.0`, `::`) adds this machine's
 * name and interface addresses, which remote clients then use.
 */
import { hostname, networkInterfaces } from 'node:os';

export function hostAllowList(listenHost: string): (host: string) => boolean {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  const add = (name: string) => names.add(name.includes(':') && !name.startsWith('[') ? `[${name.toLowerCase()}]` : name.toLowerCase());
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    add(hostname());
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) add(a.address);
  } else {
    add(listenHost);
  }
  // RFC 6761: `*.localhost` resolves to loopback in browsers and resolvers alike, never through DNS.
  return (host) => names.has(host) || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host);
}
