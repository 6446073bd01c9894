/**
 * The root CA devices trust (Amazon Root CA 1 on AWS, the local CA locally), fetched from the URL the
 * deployment configured (`iotCaUrl`) at its first use and kept: the same for every caller, it is
 * served by `GET /api/devices/root-ca.pem` and put in the device import's credentials ZIP. A failed
 * fetch is not kept, so the next call tries again; it answers 503 ServiceUnavailable (the URL and the
 * cause are logged, not answered).
 */
import { pemCertificateHeader } from '@fleet/core';
import { apiError } from '../errors.ts';

const fetchTimeoutMs = 5_000;

export function rootCaFetcher(url: string): () => Promise<string> {
  let cached: string | undefined;
  return async () => {
    if (cached !== undefined) return cached;
    let pem: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(fetchTimeoutMs) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      pem = await response.text();
    } catch (err) {
      throw apiError('ServiceUnavailable', 'The root CA could not be fetched from where the deployment keeps it; try again', {
        cause: err,
      });
    }
    if (!pem.includes(pemCertificateHeader)) {
      throw apiError('ServiceUnavailable', 'The root CA URL answered something that is not a PEM certificate', {
        cause: new Error(`${url} answered no PEM certificate`),
      });
    }
    cached = pem;
    return pem;
  };
}
