import { describe, expect, it } from 'vitest';
import { hostAllowList, localNames } from './host-allow-list.ts';

describe('names the local ports answer to', () => {
  it('are loopback names and the configured host, not a rebound DNS name', () => {
    const allowed = hostAllowList('127.0.0.1');
    for (const host of ['127.0.0.1', 'localhost', '[::1]', '127.0.0.2', 'bucket.localhost']) expect(allowed(host)).toBe(true);
    for (const host of ['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', '']) expect(allowed(host)).toBe(false);
    expect(hostAllowList('fleet.test')('fleet.test')).toBe(true);
  });

  it("include this machine's addresses when listening on every interface", () => {
    expect(localNames('0.0.0.0').length).toBeGreaterThan(3);
    expect(localNames('127.0.0.1')).toEqual(['127.0.0.1', 'localhost', '[::1]']);
  });
});
