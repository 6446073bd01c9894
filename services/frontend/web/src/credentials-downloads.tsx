/**
 * The files a device needs after registration or a rotation, shown once: its certificate, the
 * private key when Fleet generated one (a device that sent a CSR already holds its own), the root
 * CA, and a ready-to-paste `mosquitto_pub` command (and `curl` for HTTPS publish where the certificate allows it).
 */
import type { Credentials } from './api.ts';

function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-pem-file' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  URL.revokeObjectURL(url);
}

/** `fileStem`: the device id, as the `mosquitto_pub` command names the files. */
export function CredentialsDownloads(props: { fileStem: string; credentials: Credentials }) {
  const { fileStem, credentials } = props;
  const privateKey = credentials.privateKey;
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
        <button onClick={() => download(`${fileStem}.cert.pem`, credentials.certificatePem)}>Certificate</button>
        {privateKey !== undefined && <button onClick={() => download(`${fileStem}.private.key`, privateKey)}>Private key</button>}
        <a href={credentials.caUrl} download="root-ca.pem">
          <button type="button" className="secondary">
            Root CA
          </button>
        </a>
      </p>
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
