import { describe, expect, it } from 'vitest';
import { parseAttributeAssignments, parseAttributeConditions } from './attribute-text.ts';

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
});
