import { describe, expect, it } from 'vitest';
import { attributeReplacement } from './thing-attributes.ts';

describe('attributeReplacement', () => {
  const thing = { owner: 'sub-1', name: 'Pump_1', site: 'lyon', floor: '2' };

  it('sets the changed and new attributes and empties the user attributes left out, keeping Fleet’s', () => {
    expect(attributeReplacement(thing, { site: 'paris', room: '12' })).toEqual({ floor: '', site: 'paris', room: '12' });
    expect(attributeReplacement(thing, {})).toEqual({ site: '', floor: '' });
  });

  it('is empty when nothing changes, and never touches owner or name', () => {
    expect(attributeReplacement(thing, { site: 'lyon', floor: '2' })).toEqual({});
    expect(attributeReplacement(thing, { owner: 'mallory', name: 'x', site: 'lyon', floor: '2' })).toEqual({});
  });

  it('treats names such as __proto__ and constructor as attributes like any other', () => {
    const payload = attributeReplacement({ constructor: 'c' }, { ['__proto__']: 'p' });
    expect(Object.entries(payload)).toEqual([
      ['constructor', ''],
      ['__proto__', 'p'],
    ]);
  });
});
