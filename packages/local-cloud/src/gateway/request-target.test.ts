import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from './request-target.ts';

describe('parseRequestTarget', () => {
  it('accepts origin-form targets and splits path and query', () => {
    expect(parseRequestTarget('/')).toEqual({ ok: true, path: '/', query: '' });
    expect(parseRequestTarget('/api/devices/')).toEqual({ ok: true, path: '/api/devices/', query: '' });
    expect(parseRequestTarget('/api/devices?limit=5&cursor=a/b?c')).toEqual({
      ok: true,
      path: '/api/devices',
      query: 'limit=5&cursor=a/b?c',
    });
    expect(parseRequestTarget("/a/b:c@d!$&'()*+,;=~")).toMatchObject({ ok: true });
    expect(parseRequestTarget('/q?a[]=1|2')).toMatchObject({ ok: true, query: 'a[]=1|2' });
  });

  it('normalizes percent-encoding as RFC 3986 §6.2.2 says: unreserved decoded, the rest upper-cased', () => {
    expect(parseRequestTarget('/api/%64evices/%7e%2a%c3%a9')).toMatchObject({ ok: true, path: '/api/devices/~%2A%C3%A9' });
  });

  it.each([
    ['*', 'not origin-form'],
    ['http://127.0.0.1:3003/internal/x', 'not origin-form'],
    ['127.0.0.1:3003', 'not origin-form'],
    ['//127.0.0.1:3003/internal/dead-letters/replay', 'empty path segment'],
    ['/\\127.0.0.1/x', 'percent-encoded'],
    ['/api//devices', 'empty path segment'],
    ['/api/../internal', 'dot segment'],
    ['/api/%2e%2E/internal', 'dot segment'],
    ['/api/./devices', 'dot segment'],
    ['/api/a%2Fb', 'encoded "/"'],
    ['/api/a%5cb', 'encoded "/" or "\\"'],
    ['/api/%zz', 'broken %-escape'],
    ['/api/é', 'percent-encoded'],
    ['/api/a b', 'percent-encoded'],
    ['/api/a\r\nX: y', 'percent-encoded'],
    ['/api/x#frag', 'percent-encoded'],
    ['/api?x=#y', 'query'],
    ['/api?x=\u0000', 'query'],
  ])('refuses %j with 400 (%s)', (target, why) => {
    const result = parseRequestTarget(target);
    expect(result).toMatchObject({ ok: false, status: 400 });
    if (!result.ok) {
      expect(result.message).toContain(why);
      expect(result.message).toContain('RFC 9112 §3.2.1');
    }
  });

  it('answers 414 above the longest target accepted', () => {
    expect(parseRequestTarget(`/${'a'.repeat(9000)}`)).toMatchObject({ ok: false, status: 414 });
  });
});
