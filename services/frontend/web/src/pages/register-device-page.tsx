import { useState } from 'react';
import type { Api, Credentials, Device } from '../api.ts';
import { parseAttributeAssignments } from '../attribute-text.ts';
import { CredentialsDownloads } from '../credentials-downloads.tsx';
import { FormError, TextField, useSubmit } from '../form-kit.tsx';
import { useKeySourceChoice } from '../key-source-choice.tsx';

export function RegisterDevicePage(props: { api: Api; navigate: (to: string) => void }) {
  const [name, setName] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [attributes, setAttributes] = useState('');
  const [result, setResult] = useState<{ device: Device; credentials: Credentials }>();
  const keys = useKeySourceChoice();
  const { error, busy, run } = useSubmit();
  const submit = run(async () =>
    setResult(await props.api.register(name, deviceId.trim() || undefined, keys.csr, parseAttributeAssignments(attributes))),
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
        <CredentialsDownloads fileStem={id} credentials={credentials} />
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
        {keys.fields}
        <button type="submit" disabled={busy}>
          Register
        </button>
        <FormError error={error} />
      </form>
    </div>
  );
}
