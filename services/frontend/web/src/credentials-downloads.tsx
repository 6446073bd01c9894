/**
 * The files a device needs after registration or a rotation, shown once: its certificate, the
 * private key when Fleet generated one (a device that sent a CSR already holds its own), the root
 * CA, and a ready-to-paste `mosquitto_pub` command (and `curl` for HTTPS publish where the certificate allows it).
 * Each is saved under the name the commands use: the root CA is fetched from the API (same origin)
 * when asked for, not linked at the deployment's CA URL, whose name a browser would keep.
 */
import { rootCaFileName } from '@fleet/core';
import type { Api, Credentials } from './api.ts';
import { FormError, useSubmit } from './form-kit.tsx';
import { savePem } from './save-file.ts';

/** `fileStem`: the device id, as the `mosquitto_pub` command names the files. */
export function CredentialsDownloads(props: { api: Api; fileStem: string; credentials: Credentials }) {
  const { api, fileStem, credentials } = props;
  const privateKey = credentials.privateKey;
  // A CA that cannot be fetched (the API answers 503) is said next to the buttons.
  const rootCa = useSubmit();
  const saveRootCa = rootCa.run(async () => savePem(rootCaFileName, await api.rootCa()));
  return (
    <>
      <p data-testid="key-source">
        {privateKey === undefined ? (
          <>The certificate was signed from your CSR: the private key stays on the device, and Fleet never saw it.</>
        ) : (
          <b>Download the private key now: it is shown only once.</b>
        )}
      </p>
      <p style={{ display: 'flex', gap: '.5rem', flexWrap: 'wrap' }}>
        <button onClick={() => savePem(`${fileStem}.cert.pem`, credentials.certificatePem)}>Certificate</button>
        {privateKey !== undefined && <button onClick={() => savePem(`${fileStem}.private.key`, privateKey)}>Private key</button>}
        <button type="button" className="secondary" onClick={(e) => void saveRootCa(e)} disabled={rootCa.busy}>
          Root CA
        </button>
      </p>
      <FormError error={rootCa.error} />
      <p className="muted">
        Publish a reading from a shell (Debian package mosquitto-clients), in the folder holding the certificate, the root CA and the
        private key{privateKey === undefined ? ` (name yours ${fileStem}.private.key)` : ''}:
      </p>
      <pre data-testid="mosquitto-command">{credentials.mosquittoPub}</pre>
      {credentials.curlPublish === undefined ? (
        <p className="muted" data-testid="https-publish-note">
          HTTPS publish (IoT Core, port {credentials.httpsPort}) is for a device whose certificate&apos;s common name is its id ({fileStem}
          ): this certificate is not, so publish over MQTT.
        </p>
      ) : (
        <>
          <p className="muted">Or publish the same reading over HTTPS (IoT Core HTTPS publish, port {credentials.httpsPort}) with curl:</p>
          <pre data-testid="curl-command">{credentials.curlPublish}</pre>
        </>
      )}
    </>
  );
}
