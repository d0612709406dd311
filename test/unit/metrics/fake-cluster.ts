// A stand-in for node:cluster as the master's metrics collector sees it: children are registries that answer over an
// in-process channel, and a test can silence one (a missed scrape) or replace one (a restart in the same slot).
import { EventEmitter } from 'node:events';
import type { Worker } from 'node:cluster';
import { answerMetricRequests, type ClusterPort, type ParentPort } from '../../../src/metrics/cluster.js';
import type { HeadframeMetrics } from '../../../src/metrics/metrics.js';

export interface FakeChild {
  /** While true, requests reach the child but it never answers. */
  silent: boolean;
  /** The child exits: it leaves the worker list. */
  exit(): void;
}

export class FakeCluster extends EventEmitter implements ClusterPort {
  private readonly list: Worker[] = [];
  private nextId = 1;

  workers(): readonly Worker[] {
    return this.list;
  }
  override on(event: 'message', listener: (worker: Worker, message: unknown) => void): this {
    return super.on(event, listener);
  }
  override off(event: 'message', listener: (worker: Worker, message: unknown) => void): this {
    return super.off(event, listener);
  }

  /** A child process whose registry answers the requests the master sends it. */
  addChild(metrics: HeadframeMetrics, silent = false): FakeChild {
    const id = this.nextId++;
    const childPort = new EventEmitter() as EventEmitter & ParentPort;
    let connected = true;
    const child: FakeChild = {
      silent,
      exit: () => {
        connected = false;
        stop();
        this.list.splice(this.list.indexOf(worker), 1);
      },
    };
    const worker = {
      id,
      isConnected: () => connected,
      send: (message: unknown) => {
        if (!child.silent) setImmediate(() => childPort.emit('message', message));
        return true;
      },
    } as unknown as Worker;
    childPort.send = (message: unknown) => {
      setImmediate(() => this.emit('message', worker, message));
      return true;
    };
    const stop = answerMetricRequests(metrics.registry, childPort);
    this.list.push(worker);
    return child;
  }
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The samples of a text exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsed exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** Samples of `name` whose labels include every one of `labels`. */
export function select(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

export function seriesId(sample: Sample): string {
  return `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
}
