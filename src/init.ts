#!/usr/bin/env node
// Entry of every Headframe process. The master parses the command line; cluster children learn their role
// from the environment the master forked them with and everything else from its first IPC message.
import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isChildRole } from './ipc/messages.js';
import { FORK_ID_ENV, ROLE_ENV } from './master/supervisor.js';

const USAGE = 'usage: headframe [--config DIR] [--check-config]';

async function main(): Promise<void> {
  if (!cluster.isPrimary) {
    const role = process.env[ROLE_ENV];
    const forkId = Number(process.env[FORK_ID_ENV]);
    if (!isChildRole(role) || !Number.isInteger(forkId) || forkId < 0) {
      process.stderr.write(`child started with invalid ${ROLE_ENV}=${String(role)} ${FORK_ID_ENV}=${String(process.env[FORK_ID_ENV])}\n`);
      process.exit(1);
    }
    const { runChild } = await import('./roles/child.js');
    await runChild(role, forkId);
    return;
  }

  let values: { config?: string; 'check-config'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        'check-config': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const configDir = resolve(values.config ?? process.cwd());
  const { checkConfig, runMaster } = await import('./roles/master.js');
  const code = values['check-config'] ? await checkConfig(configDir) : await runMaster(configDir);
  if (code !== 0 || values['check-config']) process.exitCode = code;
}

main().catch((error: unknown) => {
  process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
