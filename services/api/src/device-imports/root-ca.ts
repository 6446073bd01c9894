/**
 * The root CA devices trust (Amazon Root CA 1 on AWS, the local CA locally), for the credentials
 * archive: fetched from the URL the deployment configured (`iotCaUrl`) at the first download and
 * kept; a failed fetch is not kept, so the next download tries again.
 */
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
      throw apiError('ServiceUnavailable', 'The root CA could not be fetched for the archive; try again', { cause: err });
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw apiError('ServiceUnavailable', 'The root CA URL answered something that is not a PEM certificate');
    }
    cached = pem;
    return pem;
  };
}
