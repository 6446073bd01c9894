/**
 * The Admin area's lists: a table on a wide screen, each row a card of labelled lines on a phone
 * (styles.css `table.stacked`), in a box a keyboard can scroll; and the cursor paging behind them
 * ("older entries", "more").
 */
import { useCallback, useState, type ReactNode } from 'react';

export interface Column<T> {
  readonly label: string;
  readonly cell: (row: T) => ReactNode;
  readonly title?: (row: T) => string | undefined;
  readonly className?: string;
}

export function StackedTable<T>(props: {
  /** The accessible name of the scroll box. */
  label: string;
  testId: string;
  rowTestId: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
}) {
  return (
    // Focusable, so a keyboard can scroll a table wider than a phone (WCAG 2.1.1).
    <div className="table-scroll" tabIndex={0} role="region" aria-label={props.label}>
      <table className="stacked" data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.label}>{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)} data-testid={props.rowTestId}>
              {props.columns.map((c) => (
                <td key={c.label} data-label={c.label} title={c.title?.(row)} className={c.className}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A time as the browser's locale writes it, machine-readable in `dateTime`. */
export function Time(props: { iso: string }) {
  return <time dateTime={props.iso}>{new Date(props.iso).toLocaleString()}</time>;
}

/** Pages read by cursor: `load()` starts over, `load(cursor)` appends the next page. */
export function useCursorPages<T>(fetchPage: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string | undefined }>) {
  const [items, setItems] = useState<T[]>();
  const [cursor, setCursor] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const load = useCallback(
    async (after?: string) => {
      setBusy(true);
      setError(undefined);
      try {
        const page = await fetchPage(after);
        setItems((before) => (after ? [...(before ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
    [fetchPage],
  );
  return { items, cursor, busy, error, load };
}
