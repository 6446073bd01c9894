import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatedCertificateCommonName } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { deviceCredentials } from './device-credentials.ts';

const opensslInstalled = existsSync('/usr/bin/openssl');

/** A throw-away self-signed certificate with this subject common name. */
function certificateNamed(commonName: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'device-credentials-'));
  try {
    execFileSync(
      '/usr/bin/openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${commonName}`].concat(
        ['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      ),
      { stdio: 'ignore' },
    );
    return readFileSync(join(dir, 'cert.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const credentialsFor = (certificatePem: string) =>
  deviceCredentials({
    deviceId: 'boiler-1',
    certificatePem,
    privateKey: 'key',
    caUrl: 'https://ca',
    endpoint: 'abc123-ats.iot.us-east-1.amazonaws.com',
    port: 8883,
    httpsPort: 8443,
  });

describe.skipIf(!opensslInstalled)('device credentials', () => {
  it('offers the curl command of an HTTPS publish to a certificate whose common name is the device id', () => {
    expect(credentialsFor(certificateNamed('boiler-1')).curlPublish).toBe(
      'curl --cacert root-ca.pem --cert boiler-1.cert.pem --key boiler-1.private.key -X POST ' +
        "'https://abc123-ats.iot.us-east-1.amazonaws.com:8443/topics/fleet/devices/boiler-1/telemetry?qos=1' " +
        `-d '{"ts":'$(date +%s000)',"seq":1,"temperature":21.5}'`,
    );
  });

  it("offers none to CreateKeysAndCertificate's certificate or another device's name: the device policy would refuse it", () => {
    expect(credentialsFor(certificateNamed(generatedCertificateCommonName)).curlPublish).toBeUndefined();
    expect(credentialsFor(certificateNamed('boiler-2')).curlPublish).toBeUndefined();
  });
});
