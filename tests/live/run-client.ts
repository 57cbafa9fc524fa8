// Runs one live session through the worker client in its own process (env reaches the worker
// there) and returns its final live figures; shared by the fixed-window and loss tests.

import { expect } from "bun:test";
import { join } from "node:path";
import type { LiveStats } from "../../src/profile/snapshot.ts";

export async function runClient(config: object, env: Record<string, string>): Promise<LiveStats & { total: number }> {
  const p = Bun.spawn([process.execPath, join(import.meta.dir, "live-client-run.ts"), JSON.stringify(config)], { env: { ...process.env, ...env }, stderr: "inherit" });
  const out = await new Response(p.stdout).text();
  expect(await p.exited).toBe(0);
  return JSON.parse(out);
}
