/**
 * A device's own thing attributes (`site=lyon`, …), which the device list filters on, with an editor
 * for those who manage devices: one text of `name=value` words, saved as a whole (a word removed is an
 * attribute removed). Fleet's own attributes (owner, name) are neither shown nor editable here.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api.ts';
import { attributeAssignmentsText, ownAttributes, parseAttributeAssignments } from '../attribute-text.ts';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, useSubmit } from '../form-kit.tsx';
import { usePolled } from '../polling.ts';

export function DeviceAttributesPanel(props: { api: Api; deviceId: string; mayManage: boolean }) {
  const { api, deviceId } = props;
  const load = useCallback(() => api.deviceAttributes(deviceId), [api, deviceId]);
  const { value, error, refresh } = usePolled(load);
  const saved = attributeAssignmentsText(value?.attributes);
  const [text, setText] = useState('');
  const [editing, setEditing] = useState(false);
  // The field follows what is stored until the user starts typing.
  useEffect(() => {
    if (!editing) setText(saved);
  }, [saved, editing]);
  const submit = useSubmit();
  const own = ownAttributes(value?.attributes);

  const save = async () => {
    await api.changeDeviceAttributes(deviceId, parseAttributeAssignments(text));
    setEditing(false);
    await refresh();
  };

  return (
    <div className="card" data-testid="attributes-panel">
      <h3>Attributes</h3>
      <ErrorNotice error={error} />
      {value && own.length === 0 && <p className="muted">No attributes.</p>}
      {own.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Attribute</th>
              <th>Value</th>
            </tr>
          </thead>
          <tbody>
            {own.map(([name, v]) => (
              <tr key={name} data-testid={`attribute-${name}`}>
                <td>
                  <code>{name}</code>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.mayManage && value && (
        <form className="inline attributes-form" onSubmit={(e) => void submit.run(save)(e)} aria-label="Change attributes">
          <input
            aria-label="Device attributes"
            placeholder="site=lyon floor=2"
            value={text}
            onChange={(e) => {
              setEditing(true);
              setText(e.target.value);
            }}
          />
          <button type="submit" disabled={submit.busy || text.trim() === saved}>
            Save attributes
          </button>
          <FormError error={submit.error} />
        </form>
      )}
    </div>
  );
}
