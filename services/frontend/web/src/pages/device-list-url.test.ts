import { describe, expect, it } from 'vitest';
import { listFilter, listQuery, listUrl, parseListState, withFilter } from './device-list-url.ts';

describe('the device list in the URL', () => {
  it('reads the overview link /devices?status=offline', () => {
    expect(parseListState('?status=offline')).toEqual({
      q: '',
      status: 'offline',
      group: '',
      attributes: [],
      sort: 'registeredAt',
      order: 'asc',
      page: 1,
    });
  });

  it('round-trips every part, and leaves the defaults out', () => {
    const state = parseListState(
      '?q=boiler&status=silent&group=north&attribute=site%3Dlyon&attribute=floor&sort=lastSeen&order=desc&cursor=abc&page=3',
    );
    expect(state.attributes).toEqual(['site=lyon', 'floor']);
    expect(listUrl(state)).toBe(
      '/devices?q=boiler&status=silent&group=north&attribute=site%3Dlyon&attribute=floor&sort=lastSeen&order=desc&cursor=abc&page=3',
    );
    expect(listUrl(parseListState(''))).toBe('/devices');
  });

  it('drops values the API would refuse instead of sending them', () => {
    expect(parseListState('?status=sleeping&sort=colour&order=up&group=has%20space&attribute=a%20b&attribute=%3Dv&page=7')).toEqual({
      q: '',
      group: '',
      attributes: [],
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
    expect(Object.fromEntries(listQuery(parseListState('?q=%20pump%20&cursor=xyz&page=2'), 50))).toEqual({
      q: 'pump',
      sort: 'registeredAt',
      order: 'asc',
      limit: '50',
      cursor: 'xyz',
    });
  });

  it('asks the API with one attribute parameter per condition, and gives bulk actions the same filter', () => {
    const state = parseListState('?attribute=site%3Dlyon&attribute=model%3Dx%3D1');
    expect(listQuery(state, 50).getAll('attribute')).toEqual(['site=lyon', 'model=x=1']);
    expect(listFilter(state)).toEqual({ attribute: ['site=lyon', 'model=x=1'] });
    expect(listFilter(parseListState(''))).toEqual({});
  });
});
