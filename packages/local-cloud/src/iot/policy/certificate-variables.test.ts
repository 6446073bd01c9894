import { devicePolicyDocument, generatedCertificateCommonName, topics } from '@fleet/core';
import { describe, expect, it } from 'vitest';
import { certificateCommonNameKey, certificateVariables } from './certificate-variables.ts';
import { evaluatePolicies } from './policy-evaluator.ts';

const region = 'us-east-1';
const account = '000000000000';
const device = devicePolicyDocument(region, account);
const topicArn = (topic: string) => `arn:aws:iot:${region}:${account}:topic/${topic}`;

describe('X.509 certificate policy variables', () => {
  it("names the subject's and the issuer's attributes as AWS does, from Node's parsed certificate", () => {
    const context = certificateVariables({
      subject: { CN: 'pump-1', O: 'Acme', OU: ['Plant A', 'Plant B'], C: 'DE' },
      issuer: { CN: 'Fleet Local Root CA' },
    });
    expect(context).toMatchObject({
      [certificateCommonNameKey]: 'pump-1',
      'iot:Certificate.Subject.Organization': 'Acme',
      'iot:Certificate.Subject.OrganizationalUnit': 'Plant A',
      'iot:Certificate.Subject.Country': 'DE',
      'iot:Certificate.Issuer.CommonName': 'Fleet Local Root CA',
    });
    expect(context['iot:Certificate.Subject.State']).toBeUndefined();
  });

  describe("the device policy over HTTPS (the certificate's variables, no thing, no client id)", () => {
    const https = (commonName: string) => certificateVariables({ subject: { CN: commonName } });

    it('allows the telemetry of the device its certificate names, and no other topic', () => {
      expect(evaluatePolicies([device], 'iot:Publish', topicArn(topics.telemetry('pump-1')), https('pump-1'))).toBe('allow');
      expect(evaluatePolicies([device], 'iot:Publish', topicArn(topics.telemetry('pump-2')), https('pump-1'))).toBe('implicit-deny');
      expect(evaluatePolicies([device], 'iot:Publish', topicArn('$aws/things/pump-1/shadow/update'), https('pump-1'))).toBe(
        'implicit-deny',
      );
    });

    it('allows nothing to a CreateKeysAndCertificate certificate, all named "AWS IoT Certificate"', () => {
      const keys = https(generatedCertificateCommonName);
      expect(evaluatePolicies([device], 'iot:Publish', topicArn(topics.telemetry('pump-1')), keys)).toBe('implicit-deny');
      expect(evaluatePolicies([device], 'iot:Publish', topicArn(topics.telemetry(generatedCertificateCommonName)), keys)).toBe(
        'explicit-deny',
      );
    });

    it("takes a common name's * literally, not as a wildcard", () => {
      expect(evaluatePolicies([device], 'iot:Publish', topicArn(topics.telemetry('pump-1')), https('*'))).toBe('implicit-deny');
    });

    it('allows nothing without a certificate variable: the thing statements need the thing name, which HTTPS does not resolve', () => {
      expect(evaluatePolicies([device], 'iot:Publish', topicArn(topics.telemetry('pump-1')), {})).toBe('implicit-deny');
    });
  });
});
