import { describe, expect, it } from 'vitest';
import { attributeAssignmentsText, ownAttributes, parseAttributeAssignments, parseAttributeConditions } from './attribute-text.ts';

describe('attributes typed in one field', () => {
  it('reads conditions separated by spaces, telling apart the words that are none', () => {
    expect(parseAttributeConditions('  site=lyon   floor model=x=1 site=lyon ')).toEqual({
      valid: ['site=lyon', 'floor', 'model=x=1'],
      invalid: [],
    });
    expect(parseAttributeConditions('site=lyon =v a|b site=')).toEqual({ valid: ['site=lyon'], invalid: ['=v', 'a|b', 'site='] });
  });

  it('reads assignments for a registration, a name like __proto__ included, and refuses a bare name or one of Fleet', () => {
    expect(parseAttributeAssignments(' site=lyon  model=x=1 ')).toEqual({ site: 'lyon', model: 'x=1' });
    expect(parseAttributeAssignments('')).toEqual({});
    expect(Object.entries(parseAttributeAssignments('__proto__=p'))).toEqual([['__proto__', 'p']]);
    expect(() => parseAttributeAssignments('site=lyon floor')).toThrow(/^"floor" is no attribute: write name=value/);
    expect(() => parseAttributeAssignments('owner=me')).toThrow(/^"owner" is set by Fleet itself/);
  });

  it("writes a device's own attributes as the text the editor reads back, without Fleet's owner and name", () => {
    const thing = { site: 'lyon', owner: 'sub-1', model: 'x=1', name: 'Pump_1' };
    expect(ownAttributes(thing)).toEqual([
      ['site', 'lyon'],
      ['model', 'x=1'],
    ]);
    expect(attributeAssignmentsText(thing)).toBe('site=lyon model=x=1');
    expect(parseAttributeAssignments(attributeAssignmentsText(thing))).toEqual({ site: 'lyon', model: 'x=1' });
    expect(attributeAssignmentsText(undefined)).toBe('');
  });
});
