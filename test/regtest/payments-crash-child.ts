// Runs the real payment-processor role in its own process for the crash tests (argv[2]: config directory).
// The test sets HEADFRAME_TEST_PAYMENT_KILL_POINT so the role SIGKILLs itself in the middle of its first payment.
import { loadConfig } from '../../src/config/load.js';
import type { ChildIpc } from '../../src/ipc/channel.js';
import { createLogger } from '../../src/log/logger.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { Registry } from 'prom-client';
import { runPaymentProcessor } from '../../src/roles/payment-processor.js';

const result = await loadConfig(process.argv[2]);
if (!result.ok) {
  console.error(result.problems.join('\n'));
  process.exit(2);
}
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
const logger = createLogger({ level: 'info', context: { role: 'payment-processor' } });
// The role never talks to the master; a child run by a test has no IPC channel.
const ipc = {} as ChildIpc;
await runPaymentProcessor({ config: result.config, logger, forkId: 0, ipc, shutdown: controller.signal, metrics: createMetrics(new Registry()) });
process.exit(0);
