/** A labelled form control of the dashboard editor. */
import { useId, type ReactNode } from 'react';

/**
 * A labelled control. The label names it by `for`, not by wrapping it: a wrapping label's name
 * would include the control's value ("Device 1 sensor-7"), which neither a screen reader nor a test should hear.
 */
export function Field(props: { label: string; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className="dash-field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
    </div>
  );
}
