/**
 * Registering one device: a name, an optional id and thing group, the key made here or by the
 * device (CSR). A user whose access is limited to thing groups must choose one of theirs (the API
 * refuses otherwise), else the new device would be out of their sight at once.
 */
import { useEffect, useState } from 'react';
import type { Api, Credentials, Device } from '../api.ts';
import { parseAttributeAssignments } from '../attribute-text.ts';
import { CredentialsDownloads } from '../credentials-downloads.tsx';
import { FormError, TextField, useSubmit } from '../form-kit.tsx';
import { useKeySourceChoice } from '../key-source-choice.tsx';

export function RegisterDevicePage(props: { api: Api; navigate: (to: string) => void }) {
  const [name, setName] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [attributes, setAttributes] = useState('');
  const [group, setGroup] = useState('');
  const [groups, setGroups] = useState<readonly string[]>([]);
  useEffect(() => {
    // Without the list the form still registers (without a group): a failed read is not an error here.
    props.api.thingGroups().then(
      (r) => setGroups(r.groups),
      () => setGroups([]),
    );
  }, [props.api]);
  const [result, setResult] = useState<{ device: Device; credentials: Credentials }>();
  const keys = useKeySourceChoice();
  const { error, busy, run } = useSubmit();
  const submit = run(async () =>
    setResult(
      await props.api.register(name, deviceId.trim() || undefined, keys.csr, parseAttributeAssignments(attributes), group || undefined),
    ),
  );

  if (result) {
    const { device, credentials } = result;
    const id = device.deviceId;
    return (
      <div className="card" data-testid="device-credentials">
        <h2>{device.name} is registered</h2>
        <p>
          Device id <code data-testid="new-device-id">{id}</code>.
        </p>
        <CredentialsDownloads api={props.api} fileStem={id} credentials={credentials} />
        <button onClick={() => props.navigate(`/devices/${encodeURIComponent(id)}`)}>Open the device</button>
      </div>
    );
  }

  return (
    <div className="card">
      <h2>Register a device</h2>
      <form onSubmit={submit}>
        <TextField name="name" placeholder="Name (e.g. Greenhouse sensor)" value={name} onChange={setName} />
        <TextField
          name="deviceId"
          placeholder="Device id (optional: letters, digits, - and _)"
          value={deviceId}
          onChange={setDeviceId}
          required={false}
        />
        <TextField
          name="attributes"
          placeholder="Attributes (optional: site=lyon floor=2)"
          value={attributes}
          onChange={setAttributes}
          required={false}
        />
        <label>
          Thing group
          <select name="group" value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">No group</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        {keys.fields}
        <button type="submit" disabled={busy}>
          Register
        </button>
        <FormError error={error} />
      </form>
    </div>
  );
}
