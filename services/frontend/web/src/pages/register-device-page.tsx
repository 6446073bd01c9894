import { useState } from 'react';
import type { Api, Credentials, Device } from '../api.ts';
import { FormError, TextField, useSubmit } from '../form-kit.tsx';

function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

export function RegisterDevicePage(props: { api: Api; navigate: (to: string) => void }) {
  const [name, setName] = useState('');
  const [deviceId, setDeviceId] = useState('');
  const [result, setResult] = useState<{ device: Device; credentials: Credentials }>();
  const { error, busy, run } = useSubmit();
  const submit = run(async () => setResult(await props.api.register(name, deviceId.trim() || undefined)));

  if (result) {
    const { device, credentials } = result;
    const id = device.deviceId;
    return (
      <div className="card" data-testid="device-credentials">
        <h2>{device.name} is registered</h2>
        <p>
          Device id <code data-testid="new-device-id">{id}</code>. <b>Download the private key now: it is shown only once.</b>
        </p>
        <p style={{ display: 'flex', gap: '.5rem', flexWrap: 'wrap' }}>
          <button onClick={() => download(`${id}.cert.pem`, credentials.certificatePem)}>Certificate</button>
          <button onClick={() => download(`${id}.private.key`, credentials.privateKey)}>Private key</button>
          <a href={credentials.caUrl} download="root-ca.pem">
            <button type="button" className="secondary">
              Root CA
            </button>
          </a>
        </p>
        <p className="muted">Publish a reading from a shell (Debian package mosquitto-clients), in the folder holding the three files:</p>
        <pre data-testid="mosquitto-command">{credentials.mosquittoPub}</pre>
        {credentials.curlPublish === undefined ? (
          <p className="muted" data-testid="https-publish-note">
            HTTPS publish (IoT Core, port {credentials.httpsPort}) is for a device whose certificate&apos;s common name is its id ({id}),
            such as one signed from the device&apos;s own CSR: this certificate is not, so publish over MQTT.
          </p>
        ) : (
          <>
            <p className="muted">
              Or publish the same reading over HTTPS (IoT Core HTTPS publish, port {credentials.httpsPort}) with curl:
            </p>
            <pre data-testid="curl-command">{credentials.curlPublish}</pre>
          </>
        )}
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
        <button type="submit" disabled={busy}>
          Register
        </button>
        <FormError error={error} />
      </form>
    </div>
  );
}
