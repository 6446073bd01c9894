import { describe, expect, it } from 'vitest';
import { tokenDeviceAccess } from './use-me.ts';

/** An unsigned JWT with these claims (the app reads claims only; the API verifies the signature). */
const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('the device access an access token carries', () => {
  it('reads the thing-group grants of cognito:groups as the API judges them', () => {
    expect(tokenDeviceAccess(jwt({ 'cognito:groups': ['viewer', 'thing-group:south', 'thing-group:north'] }))).toEqual({
      kind: 'groups',
      groups: ['north', 'south'],
    });
    // An admin sees every device whatever is granted; no grant means every device.
    expect(tokenDeviceAccess(jwt({ 'cognito:groups': ['admin', 'thing-group:north'] }))).toEqual({ kind: 'all' });
    expect(tokenDeviceAccess(jwt({ sub: 's' }))).toEqual({ kind: 'all' });
  });

  it('answers every device for a token it cannot read, leaving the judgement to the API', () => {
    expect(tokenDeviceAccess('not-a-jwt')).toEqual({ kind: 'all' });
    expect(tokenDeviceAccess(jwt({ 'cognito:groups': 'thing-group:north' }))).toEqual({ kind: 'all' });
  });
});
