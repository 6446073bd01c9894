import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellsMoved, clampRect, dashboardProblems, inReadingOrder, nextFreeRow, overlaps, placeWidget } from './dashboard-layout.ts';
import { dashboardLimits, resolveTimeRange, type DashboardInput, type GridRect, type Widget } from './dashboards.ts';

const widget = (id: string, layout: GridRect): Widget => ({ id, title: id, layout, config: { kind: 'status' } });
const input = (widgets: Widget[]): DashboardInput => ({
  name: 'd',
  shared: false,
  timeRange: { kind: 'relative', last: '1h' },
  refresh: 'off',
  widgets,
});

describe('dashboard layout maths', () => {
  it('tells overlapping rectangles from touching ones', () => {
    expect(overlaps({ x: 0, y: 0, w: 4, h: 2 }, { x: 3, y: 1, w: 4, h: 2 })).toBe(true);
    expect(overlaps({ x: 0, y: 0, w: 4, h: 2 }, { x: 4, y: 0, w: 4, h: 2 })).toBe(false);
    expect(overlaps({ x: 0, y: 0, w: 4, h: 2 }, { x: 0, y: 2, w: 4, h: 2 })).toBe(false);
  });

  it('clamps a rectangle dragged past the right edge or above the top back inside the grid', () => {
    expect(clampRect({ x: 10, y: -3, w: 4, h: 2 })).toEqual({ x: 8, y: 0, w: 4, h: 2 });
    expect(clampRect({ x: 0, y: 0, w: 20, h: 0 })).toEqual({ x: 0, y: 0, w: 12, h: 1 });
  });

  it('moves a widget onto another and pushes that one (and what it then covers) down below it', () => {
    const widgets = [
      widget('a', { x: 0, y: 0, w: 6, h: 2 }),
      widget('b', { x: 0, y: 2, w: 6, h: 2 }),
      widget('c', { x: 6, y: 0, w: 6, h: 3 }),
    ];
    const placed = placeWidget(widgets, 'c', { x: 0, y: 1, w: 6, h: 3 });
    expect(placed.map((w) => [w.id, w.layout])).toEqual([
      ['a', { x: 0, y: 4, w: 6, h: 2 }],
      ['b', { x: 0, y: 6, w: 6, h: 2 }],
      ['c', { x: 0, y: 1, w: 6, h: 3 }],
    ]);
  });

  it('never leaves two widgets overlapping, wherever one is put (property)', () => {
    const rect = fc.record({
      x: fc.integer({ min: -2, max: 13 }),
      y: fc.integer({ min: -2, max: 30 }),
      w: fc.integer({ min: 0, max: 14 }),
      h: fc.integer({ min: 0, max: 14 }),
    });
    fc.assert(
      fc.property(fc.array(rect, { minLength: 1, maxLength: 10 }), fc.nat(), rect, (rects, pick, target) => {
        // A valid starting layout: each widget in a row of its own.
        let widgets = rects.map((_, i) => widget(`w${i}`, { x: 0, y: i * 12, w: 3, h: 2 }));
        widgets = placeWidget(widgets, `w${pick % rects.length}`, target);
        expect(dashboardProblems(input(widgets))).toEqual([]);
      }),
    );
  });

  it('puts a new widget below all others, reads widgets top to bottom then left to right', () => {
    const widgets = [
      widget('b', { x: 6, y: 0, w: 6, h: 5 }),
      widget('c', { x: 0, y: 3, w: 6, h: 1 }),
      widget('a', { x: 0, y: 0, w: 6, h: 3 }),
    ];
    expect(nextFreeRow(widgets)).toBe(5);
    expect(inReadingOrder(widgets).map((w) => w.id)).toEqual(['a', 'b', 'c']);
  });

  it('turns pointer pixels into whole cells, half a cell or more counting', () => {
    expect(cellsMoved(149, 100)).toBe(1);
    expect(cellsMoved(150, 100)).toBe(2);
    expect(cellsMoved(-160, 80)).toBe(-2);
    expect(cellsMoved(50, 0)).toBe(0);
  });
});

describe('dashboard checks', () => {
  it('accepts a valid dashboard', () => {
    expect(dashboardProblems(input([widget('a', { x: 0, y: 0, w: 12, h: 2 }), widget('b', { x: 0, y: 2, w: 12, h: 2 })]))).toEqual([]);
  });

  it('names duplicate ids, overlaps, widgets past the grid, repeated series and an empty absolute range', () => {
    const problems = dashboardProblems({
      ...input([
        widget('a', { x: 0, y: 0, w: 6, h: 2 }),
        widget('a', { x: 5, y: 0, w: 6, h: 2 }),
        widget('z', { x: 9, y: dashboardLimits.maxRows - 1, w: 4, h: 2 }),
        {
          id: 's',
          title: 's',
          layout: { x: 0, y: 10, w: 4, h: 2 },
          config: {
            kind: 'timeseries',
            series: [
              { deviceId: 'd', metric: 't' },
              { deviceId: 'd', metric: 't' },
            ],
          },
        },
        { id: 't', title: 't', layout: { x: 4, y: 10, w: 4, h: 2 }, config: { kind: 'table', deviceIds: ['d', 'd'], metrics: ['t'] } },
      ]),
      timeRange: { kind: 'absolute', from: 10, to: 10 },
    });
    expect(problems).toEqual([
      'timeRange: to (10) must be after from (10)',
      'widgets/1 ("a"): the id is used by another widget',
      'widgets/1 ("a"): overlaps widget "a"',
      'widgets/2 ("z"): x 9 + w 4 passes the grid\'s 12 columns',
      `widgets/2 ("z"): y ${dashboardLimits.maxRows - 1} + h 2 passes the grid's ${dashboardLimits.maxRows} rows`,
      'widgets/3 ("s"): the series d/t is listed twice',
      'widgets/4 ("t"): the device d is listed twice',
    ]);
  });

  it('resolves a relative range against now and keeps an absolute one', () => {
    expect(resolveTimeRange({ kind: 'relative', last: '24h' }, 100_000_000)).toEqual({ from: 13_600_000, to: 100_000_000 });
    expect(resolveTimeRange({ kind: 'absolute', from: 5, to: 9 }, 100)).toEqual({ from: 5, to: 9 });
  });
});
