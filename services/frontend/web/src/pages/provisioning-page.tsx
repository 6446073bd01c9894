/**
 * Provisioning by claim (operators and admins): Fleet's fleet provisioning template as IoT Core holds
 * it (name, whether it is enabled, the parameters a device sends), what the claim certificate may do,
 * and where to get that certificate. The certificate is not downloadable here: it is a shared
 * secret of the factory, kept where `npm start` wrote it (or where the operator created it on AWS).
 */
import { useEffect, useState } from 'react';
import type { ProvisioningOverview } from '@fleet/core';
import type { Api } from '../api.ts';
import { ErrorNotice } from '../error-notice.tsx';

export default function ProvisioningPage(props: { api: Api }) {
  const { api } = props;
  const [overview, setOverview] = useState<ProvisioningOverview>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    api.provisioning().then(setOverview, setError);
  }, [api]);

  const template = overview?.template;
  return (
    <div className="card">
      <h2>Provisioning by claim</h2>
      <p className="muted">
        Devices leave the factory with one shared claim certificate. At first connection each asks IoT Core for its own certificate and
        registers with the template below (AWS IoT fleet provisioning); it then appears in the device list.
      </p>
      <ErrorNotice error={error} />
      {!overview && error === undefined && <p className="muted">Loading…</p>}
      {template && 'available' in template && <p data-testid="provisioning-unavailable">Template unavailable: {template.reason}</p>}
      {template && !('available' in template) && (
        <dl className="facts" data-testid="provisioning-template">
          <dt>Template</dt>
          <dd className="mono">{template.name}</dd>
          <dt>Status</dt>
          <dd>{template.enabled ? 'Enabled' : 'Disabled: devices are refused'}</dd>
          <dt>Version</dt>
          <dd>{template.defaultVersionId}</dd>
          <dt>Parameters a device sends</dt>
          <dd>
            {template.parameters
              .filter((p) => p.fromDevice)
              .map((p) => (p.default === undefined ? p.name : `${p.name} (default ${p.default})`))
              .join(', ') || 'none'}
          </dd>
          <dt>Pre-provisioning check</dt>
          <dd>{template.preProvisioningHook ? 'A hook decides each registration' : 'None'}</dd>
        </dl>
      )}
      {overview && (
        <>
          <h3>The claim certificate</h3>
          <p>
            Its policy <span className="mono">{overview.claim.policyName}</span> allows these topics and nothing else; a device registering
            with serial number <span className="mono">S</span> becomes the device{' '}
            <span className="mono">{overview.claim.thingNamePrefix}S</span>.
          </p>
          <ul data-testid="claim-topics">
            {overview.claim.topics.map((topic) => (
              <li key={topic} className="mono">
                {topic}
              </li>
            ))}
          </ul>
          <h3>Getting it</h3>
          <p>
            Locally, <span className="mono">npm start</span> writes it to <span className="mono">.fleet/claim/claim.cert.pem</span> and{' '}
            <span className="mono">claim.private.key</span> (the data folder&apos;s <span className="mono">claim/</span>); try it with{' '}
            <span className="mono">npm run simulate -- --provision-by-claim --devices 10</span>. On AWS, an operator with IoT access creates
            it and attaches the policy (see the README, &ldquo;Fleet provisioning by claim&rdquo;).
          </p>
        </>
      )}
    </div>
  );
}
