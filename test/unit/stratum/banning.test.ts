import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BanningConfig } from '../../../src/config/types.js';
import { BanList } from '../../../src/stratum/banning.js';
import { startServer, TestBackend } from './harness.js';

const config: BanningConfig = {
  enabled: true,
  time: 60,
  invalidPercent: 50,
  checkThreshold: 10,
  malformedLimit: 5,
  purgeInterval: 30,
};

function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('an IP at or above the invalid ratio is banned once checkThreshold shares were seen', () => {
  const clock = fakeClock();
  const bans = new BanList(config, clock.now);
  for (let i = 0; i < 4; i += 1) assert.equal(bans.recordShare('1.2.3.4', true), false);
  for (let i = 0; i < 5; i += 1) assert.equal(bans.recordShare('1.2.3.4', false), false);
  assert.equal(bans.isBanned('1.2.3.4'), false);
  assert.equal(bans.recordShare('1.2.3.4', false), true, '6 of 10 invalid');
  assert.equal(bans.isBanned('1.2.3.4'), true);
  assert.equal(bans.isBanned('1.2.3.5'), false);
});

test('an IP below the ratio is not banned and its tally restarts', () => {
  const bans = new BanList(config, fakeClock().now);
  for (let i = 0; i < 6; i += 1) bans.recordShare('9.9.9.9', true);
  for (let i = 0; i < 4; i += 1) assert.equal(bans.recordShare('9.9.9.9', false), false);
  // A fresh window: 4 invalid of 4 is not judged until checkThreshold shares again.
  for (let i = 0; i < 9; i += 1) assert.equal(bans.recordShare('9.9.9.9', false), false);
  assert.equal(bans.recordShare('9.9.9.9', false), true);
});

test('a ban expires after its time and purge drops it', () => {
  const clock = fakeClock();
  const bans = new BanList(config, clock.now);
  bans.banIp('5.5.5.5', 60);
  clock.advance(59_999);
  assert.equal(bans.isBanned('5.5.5.5'), true);
  clock.advance(1);
  bans.purge();
  assert.equal(bans.size, 0);
  assert.equal(bans.isBanned('5.5.5.5'), false);
});

test('disabled banning never bans on shares, but the banIp hook still works', () => {
  const bans = new BanList({ ...config, enabled: false }, fakeClock().now);
  for (let i = 0; i < 50; i += 1) assert.equal(bans.recordShare('7.7.7.7', false), false);
  assert.equal(bans.isBanned('7.7.7.7'), false);
  bans.banIp('7.7.7.7', 10);
  assert.equal(bans.isBanned('7.7.7.7'), true);
});

test('a shorter ban never shortens an existing one', () => {
  const clock = fakeClock();
  const bans = new BanList(config, clock.now);
  bans.banIp('2.2.2.2', 600);
  bans.banIp('2.2.2.2', 1);
  clock.advance(5000);
  assert.equal(bans.isBanned('2.2.2.2'), true);
});

test('a ban list shared by a pool\'s ports purges while any of them listens, and stops with the last', async () => {
  const shared = new BanList(config);
  const backend = new TestBackend();
  const first = await startServer(backend, { banning: config, banList: shared });
  const second = await startServer(backend, { banning: config, banList: shared });
  try {
    assert.equal(shared.purging, true, 'started by the listeners that share it');
    await first.close();
    assert.equal(shared.purging, true, 'the other port still listens');
    await first.close();
    assert.equal(shared.purging, true, 'closing a listener twice counts once');
  } finally {
    await second.close();
  }
  assert.equal(shared.purging, false);
});

test('a new ban list adopts the running bans of the one it replaces (a reloaded pool), not the expired ones', () => {
  const clock = fakeClock();
  const old = new BanList(config, clock.now);
  old.banIp('1.1.1.1', 60);
  old.banIp('2.2.2.2', 5);
  clock.advance(10_000);
  const successor = new BanList(config, clock.now);
  successor.adopt(old);
  assert.equal(successor.isBanned('1.1.1.1'), true);
  assert.equal(successor.isBanned('2.2.2.2'), false);
  clock.advance(50_001);
  assert.equal(successor.isBanned('1.1.1.1'), false, 'the ban keeps its own end');
});
