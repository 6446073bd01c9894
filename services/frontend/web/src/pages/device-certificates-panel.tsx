/**
 * A device's certificates: which ones it has (status, created, valid until, the current one), a
 * rotation (a new certificate beside the old, generated or from the device's CSR, its files offered
 * once as at registration) and the revocation of one (confirmed; AWS IoT closes a connection using
 * it at once). The last active certificate cannot be revoked alone: the API says so.
 */
import { useCallback, useState } from 'react';
import type { DeviceCertificate, RotatedCertificate } from '@fleet/core';
import type { Api } from '../api.ts';
import { CredentialsDownloads } from '../credentials-downloads.tsx';
import { ErrorNotice } from '../error-notice.tsx';
import { FormError, useSubmit } from '../form-kit.tsx';
import { shownTime } from '../format.ts';
import { useKeySourceChoice } from '../key-source-choice.tsx';
import { usePolled } from '../polling.ts';

/** The first 12 hex digits name a certificate for a person (AWS IoT's console shows as many); the full id is its title. */
const shortId = (id: string) => `${id.slice(0, 12)}…`;

export function DeviceCertificatesPanel(props: { api: Api; deviceId: string; mayManage: boolean }) {
  const { api, deviceId } = props;
  const { value: list, error, refresh } = usePolled(useCallback(() => api.certificates(deviceId), [api, deviceId]));
  const [rotated, setRotated] = useState<RotatedCertificate>();
  const keys = useKeySourceChoice();
  const submit = useSubmit();

  const rotate = async () => {
    setRotated(await api.rotateCertificate(deviceId, keys.csr));
    await refresh();
  };
  const revoke = (c: DeviceCertificate) => async () => {
    if (!window.confirm(`Revoke certificate ${shortId(c.certificateId)} of ${deviceId}? A connection using it is closed at once.`)) return;
    await api.revokeCertificate(deviceId, c.certificateId);
    await refresh();
  };

  return (
    <div className="card" data-testid="certificates-panel">
      <h3>Certificates</h3>
      <ErrorNotice error={error} />
      {list && (
        <div className="table-scroll">
          <table aria-label="Certificates">
            <thead>
              <tr>
                <th>Certificate</th>
                <th>Status</th>
                <th>Created</th>
                <th>Valid until</th>
                {props.mayManage && <th />}
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.certificateId} data-testid={`certificate-${c.certificateId}`}>
                  <td>
                    <code title={c.certificateId}>{shortId(c.certificateId)}</code>
                    {c.current && <span className="muted"> (current)</span>}
                  </td>
                  <td>
                    <span className={`badge state-${c.status.toLowerCase()}`} data-testid="certificate-status">
                      {c.status}
                    </span>
                    {c.revokedAt && <span className="muted"> {shownTime(c.revokedAt)}</span>}
                  </td>
                  <td className="muted">{shownTime(c.createdAt)}</td>
                  <td className="muted">{shownTime(c.notAfter)}</td>
                  {props.mayManage && (
                    <td>
                      {c.status !== 'REVOKED' && (
                        <button
                          className="danger"
                          aria-label={`Revoke certificate ${shortId(c.certificateId)}`}
                          onClick={(e) => void submit.run(revoke(c))(e)}
                          disabled={submit.busy}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {props.mayManage && (
        <form onSubmit={(e) => void submit.run(rotate)(e)} aria-label="Rotate the certificate">
          <p className="muted">
            Rotating adds a certificate; the current one keeps working until you revoke it, so the device switches over at its pace.
          </p>
          {keys.fields}
          <button type="submit" disabled={submit.busy}>
            Rotate
          </button>
        </form>
      )}
      <FormError error={submit.error} />
      {rotated && (
        <div data-testid="rotated-credentials">
          <h4>
            New certificate <code>{shortId(rotated.certificate.certificateId)}</code>
          </h4>
          <CredentialsDownloads api={api} fileStem={deviceId} credentials={rotated.credentials} />
          <button className="secondary" onClick={() => setRotated(undefined)}>
            Done
          </button>
        </div>
      )}
    </div>
  );
}
