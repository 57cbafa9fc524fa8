// Runs one live session through the worker client, as the CLI does, and prints the final
// snapshot's live figures as JSON. Used by live tests that need figures the folded output
// does not carry (span of sample times, lost of taken). Usage: bun live-client-run.ts CONFIG_JSON
import { LiveClient } from "../../src/worker/client.ts";
import type { LiveConfig } from "../../src/worker/protocol.ts";

const config: LiveConfig = {
  mode: "fixed", hz: 997, ms: 1000, slots: 1, pids: [], enableIdle: false, threads: false, noPid: false,
  liveSnapshots: false, logPath: null, ...JSON.parse(process.argv[2] ?? "{}"),
};
const client = await LiveClient.start(config);
const snap = await client.within(config.ms + 15000);
process.stdout.write(JSON.stringify({ ...snap.live, total: snap.total[0] }) + "\n");
process.exit(0);
