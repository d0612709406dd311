// Self-signed certificates for TLS stratum tests, made by Debian's openssl in a directory the caller owns.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TlsFiles } from '../../src/config/types.js';
import { requireBinary } from './processes.js';

export const OPENSSL_BIN = '/usr/bin/openssl';

/** A P-256 key and a one-day certificate for 127.0.0.1 (and localhost), as PEM files `<name>.crt` / `<name>.key`. */
export async function selfSignedCertificate(dir: string, name = 'stratum'): Promise<TlsFiles> {
  requireBinary(OPENSSL_BIN, 'openssl');
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await promisify(execFile)(OPENSSL_BIN, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', files.key, '-out', files.cert, '-days', '1', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return files;
}
