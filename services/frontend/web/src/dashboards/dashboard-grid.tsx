/**
 * A dashboard's widgets on a 12-column CSS grid. In edit mode each widget has a move handle and a
 * resize handle: dragged with a mouse, pen or finger (pointer events), or used with the arrow keys
 * (a person without a pointer moves and resizes one cell at a time; a live region says where the
 * widget is now). The layout maths (clamping, pushing covered widgets down) is core's
 * `placeWidget`, the one the API checks against. On a phone-width screen the grid is one column
 * in reading order (styles.css), so the DOM keeps that order.
 */
import { useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { cellsMoved, dashboardLimits, inReadingOrder, placeWidget, type GridRect, type Widget } from '@fleet/core';

/** Must match `.dash-grid` in styles.css. */
export const gridGeometry = { rowPx: 80, gapPx: 12 } as const;

type Mode = 'move' | 'resize';

interface Drag {
  readonly id: string;
  readonly mode: Mode;
  readonly startX: number;
  readonly startY: number;
  readonly from: GridRect;
}

const keySteps: Readonly<Record<string, readonly [number, number]>> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

/** The rectangle `mode` makes of `from` after moving by (dx, dy) cells. */
function changed(from: GridRect, mode: Mode, dx: number, dy: number): GridRect {
  return mode === 'move' ? { ...from, x: from.x + dx, y: from.y + dy } : { ...from, w: from.w + dx, h: from.h + dy };
}

export function DashboardGrid(props: {
  widgets: readonly Widget[];
  editing: boolean;
  onChange: (widgets: Widget[]) => void;
  render: (widget: Widget) => ReactNode;
  /** Buttons of a widget in edit mode (configure, remove). */
  tools?: (widget: Widget) => ReactNode;
}) {
  const grid = useRef<HTMLDivElement>(null);
  const drag = useRef<Drag | undefined>(undefined);
  const [preview, setPreview] = useState<Widget[]>();
  const [said, setSaid] = useState('');
  const shown = preview ?? props.widgets;

  const pitch = () => {
    const width = grid.current?.clientWidth ?? 0;
    return { x: (width + gridGeometry.gapPx) / dashboardLimits.columns, y: gridGeometry.rowPx + gridGeometry.gapPx };
  };
  const describe = (w: Widget | undefined) =>
    w ? `${w.title}: column ${w.layout.x + 1}, row ${w.layout.y + 1}, ${w.layout.w} wide, ${w.layout.h} high` : '';

  const start = (w: Widget, mode: Mode) => (e: PointerEvent<HTMLButtonElement>) => {
    if (e.button !== 0) return;
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { id: w.id, mode, startX: e.clientX, startY: e.clientY, from: w.layout };
  };
  const move = (e: PointerEvent<HTMLButtonElement>) => {
    const d = drag.current;
    if (!d) return;
    const cell = pitch();
    const rect = changed(d.from, d.mode, cellsMoved(e.clientX - d.startX, cell.x), cellsMoved(e.clientY - d.startY, cell.y));
    setPreview(placeWidget(props.widgets, d.id, rect));
  };
  const end = (e: PointerEvent<HTMLButtonElement>) => {
    const d = drag.current;
    if (!d) return;
    drag.current = undefined;
    e.currentTarget.releasePointerCapture(e.pointerId);
    if (preview) {
      props.onChange(preview);
      setSaid(describe(preview.find((w) => w.id === d.id)));
    }
    setPreview(undefined);
  };
  const key = (w: Widget, mode: Mode) => (e: KeyboardEvent<HTMLButtonElement>) => {
    const step = keySteps[e.key];
    if (!step) return;
    e.preventDefault();
    const next = placeWidget(props.widgets, w.id, changed(w.layout, mode, step[0], step[1]));
    props.onChange(next);
    setSaid(describe(next.find((n) => n.id === w.id)));
  };

  return (
    <>
      <div className={props.editing ? 'dash-grid editing' : 'dash-grid'} ref={grid} data-testid="dashboard-grid">
        {inReadingOrder(shown).map((w) => (
          <section
            key={w.id}
            className="card dash-widget"
            aria-label={w.title}
            data-testid={`widget-${w.id}`}
            data-layout={`${w.layout.x},${w.layout.y},${w.layout.w},${w.layout.h}`}
            style={
              {
                '--col': `${w.layout.x + 1} / span ${w.layout.w}`,
                '--row': `${w.layout.y + 1} / span ${w.layout.h}`,
                '--h': w.layout.h,
              } as CSSProperties
            }
          >
            <div className="dash-widget-head">
              {props.editing ? (
                <button
                  type="button"
                  className="secondary dash-move"
                  aria-label={`Move ${w.title} (arrow keys move it one cell)`}
                  aria-roledescription="draggable"
                  onPointerDown={start(w, 'move')}
                  onPointerMove={move}
                  onPointerUp={end}
                  onPointerCancel={end}
                  onKeyDown={key(w, 'move')}
                >
                  ✥ {w.title}
                </button>
              ) : (
                <h2>{w.title}</h2>
              )}
              {props.editing && props.tools?.(w)}
            </div>
            <div className="dash-widget-body">{props.render(w)}</div>
            {props.editing && (
              <button
                type="button"
                className="secondary dash-resize"
                aria-label={`Resize ${w.title} (arrow keys change width and height)`}
                onPointerDown={start(w, 'resize')}
                onPointerMove={move}
                onPointerUp={end}
                onPointerCancel={end}
                onKeyDown={key(w, 'resize')}
              >
                ◢
              </button>
            )}
          </section>
        ))}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {said}
      </p>
    </>
  );
}
