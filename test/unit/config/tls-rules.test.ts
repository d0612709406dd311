// The TLS files of stratum ports are checked at config load: a certificate with a key that is not its own stops
// start-up with the port's path, a matching pair passes (files made by Debian's openssl).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem } from '../../../src/config/issues.js';
import { tlsRules } from '../../../src/config/rules.js';
import { selfSignedCertificate } from '../../helpers/tls-files.js';

test('tlsRules: a matching certificate and key pass; a key of another certificate is named with its port', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'headframe-tls-rules-'));
  try {
    const [a, b] = await Promise.all([selfSignedCertificate(dir, 'a'), selfSignedCertificate(dir, 'b')]);
    const ports = { '3333': { tls: null }, '3334': { tls: a }, '3335': { tls: { cert: a.cert, key: b.key } } };
    const problems = tlsRules('pool_configs/ltc.json', ['ports'], ports).map(formatProblem);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], /^pool_configs\/ltc\.json: ports\.3335\.tls: certificate and key are not a usable pair \(.+\)$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
