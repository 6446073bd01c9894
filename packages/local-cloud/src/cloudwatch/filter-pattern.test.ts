import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from './filter-pattern.ts';

const matcher = (pattern: string) => {
  const compiled = compileFilterPattern(pattern);
  if (!compiled.ok) throw new Error(compiled.error);
  return compiled.match;
};

describe('compileFilterPattern', () => {
  it('matches everything with an empty pattern', () => {
    expect(matcher('')('anything')).toBe(true);
    expect(compileFilterPattern(undefined).ok).toBe(true);
  });

  it('requires every term, case-sensitively, and honours quoted phrases and exclusions', () => {
    const m = matcher('ERROR "disk full" -ignored');
    expect(m('ERROR: disk full on /data')).toBe(true);
    expect(m('error: disk full')).toBe(false);
    expect(m('ERROR disk is full')).toBe(false);
    expect(m('ERROR disk full (ignored)')).toBe(false);
  });

  it('matches any of the ? terms', () => {
    const m = matcher('?WARN ?ERROR');
    expect(m('a WARN here')).toBe(true);
    expect(m('ERROR')).toBe(true);
    expect(m('INFO')).toBe(false);
  });

  it('compares JSON fields with numbers, strings, wildcards, booleans and null', () => {
    const event = JSON.stringify({ user: { id: 'u-17', admin: true }, latency: 120, tags: ['a', 'b'], note: null });
    expect(matcher('{ $.latency >= 120 }')(event)).toBe(true);
    expect(matcher('{ $.latency < 100 }')(event)).toBe(false);
    expect(matcher('{ $.user.id = "u-*" }')(event)).toBe(true);
    expect(matcher('{ $.user.id != u-17 }')(event)).toBe(false);
    expect(matcher('{ $.tags[1] = "b" }')(event)).toBe(true);
    expect(matcher('{ $.user.admin IS TRUE }')(event)).toBe(true);
    expect(matcher('{ $.note IS NULL }')(event)).toBe(true);
    expect(matcher('{ $.missing NOT EXISTS }')(event)).toBe(true);
    expect(matcher('{ $.latency = 120 }')('not json')).toBe(false);
  });

  it('combines conditions with && and ||, && binding tighter, and parentheses', () => {
    const event = JSON.stringify({ a: 1, b: 2, c: 3 });
    expect(matcher('{ $.a = 9 || $.b = 2 && $.c = 3 }')(event)).toBe(true);
    expect(matcher('{ ($.a = 9 || $.b = 2) && $.c = 4 }')(event)).toBe(false);
    expect(matcher('{ $.a = 1 && ($.b = 9 || $.c = 3) }')(event)).toBe(true);
  });

  it('reports unsupported or malformed patterns instead of matching wrongly', () => {
    expect(compileFilterPattern('[ip, user, status=4*]').ok).toBe(false);
    expect(compileFilterPattern('{ $.a = }').ok).toBe(false);
    expect(compileFilterPattern('{ a = 1 }').ok).toBe(false);
    expect(compileFilterPattern('{ $.a ~ 1 }').ok).toBe(false);
    expect(compileFilterPattern('{ $.a = 1').ok).toBe(false);
  });
});
