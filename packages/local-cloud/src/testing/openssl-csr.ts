/**
 * A device's key and PKCS#10 request made by `openssl req`, as a device maker's tooling would:
 * the tests of CreateCertificateFromCsr sign a request nobody in this codebase wrote.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface OpensslCsr {
  /** The folder holding `device.key` and `device.csr`; the caller removes it. */
  readonly dir: string;
  readonly keyFile: string;
  readonly csrFile: string;
  readonly privateKeyPem: string;
  readonly csrPem: string;
}

/** `key`: `rsa:2048` (default), `rsa:1024` (refused by AWS IoT) or `ec` (P-256). */
export async function opensslCsr(subject: string, key: 'rsa:2048' | 'rsa:1024' | 'ec' = 'rsa:2048'): Promise<OpensslCsr> {
  const dir = await mkdtemp(join(tmpdir(), 'openssl-csr-'));
  const keyFile = join(dir, 'device.key');
  const csrFile = join(dir, 'device.csr');
  const keyArgs = key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', key];
  await promisify(execFile)('openssl', ['req', '-new', ...keyArgs, '-nodes', '-keyout', keyFile, '-subj', subject, '-out', csrFile]);
  return { dir, keyFile, csrFile, privateKeyPem: await readFile(keyFile, 'utf8'), csrPem: await readFile(csrFile, 'utf8') };
}
