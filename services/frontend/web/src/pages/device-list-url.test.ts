import { describe, expect, it } from 'vitest';
import { listQuery, listUrl, parseListState, withFilter } from './device-list-url.ts';

describe('the device list in the URL', () => {
  it('reads the overview link /devices?status=offline', () => {
    expect(parseListState('?status=offline')).toEqual({ q: '', status: 'offline', group: '', sort: 'registeredAt', order: 'asc', page: 1 });
  });

  it('round-trips every part, and leaves the defaults out', () => {
    const state = parseListState('?q=boiler&status=silent&group=north&sort=lastSeen&order=desc&cursor=abc&page=3');
    expect(listUrl(state)).toBe('/devices?q=boiler&status=silent&group=north&sort=lastSeen&order=desc&cursor=abc&page=3');
    expect(listUrl(parseListState(''))).toBe('/devices');
  });

  it('drops values the API would refuse instead of sending them', () => {
    expect(parseListState('?status=sleeping&sort=colour&order=up&group=has%20space&page=7')).toEqual({
      q: '',
      group: '',
      sort: 'registeredAt',
      order: 'asc',
      page: 1,
    });
  });

  it('starts at the first page when a filter changes', () => {
    const paged = parseListState('?q=a&cursor=abc&page=2');
    expect(listUrl(withFilter(paged, { status: 'online' }))).toBe('/devices?q=a&status=online');
  });

  it('asks the API with the trimmed search and the cursor', () => {
    expect(listQuery(parseListState('?q=%20pump%20&cursor=xyz&page=2'), 50)).toEqual({
      q: 'pump',
      sort: 'registeredAt',
      order: 'asc',
      limit: '50',
      cursor: 'xyz',
    });
  });
});
