// Worker side of the "sampler inside a Worker" live test: opens a Sampler (libbpf and its
// print hook on this thread), samples the given pid for the given time, posts a summary.
import { Sampler } from "../../src/collect/sampler.ts";

declare const self: Worker;

self.onmessage = async (e: MessageEvent<{ pid: number; ms: number }>) => {
  const logs: string[] = [];
  const sampler = await Sampler.open({ hz: 199, pids: [e.data.pid], enableIdle: false, log: (l) => logs.push(l) });
  let samples = 0;
  let otherPids = 0;
  const end = performance.now() + e.data.ms;
  try {
    while (performance.now() < end) {
      samples += sampler.poll(50, (s) => {
        if (s.pid !== e.data.pid) otherPids++;
      });
    }
  } finally {
    sampler.close();
  }
  postMessage({ samples, otherPids, logs });
};
