// bun test preload: make sure the BPF object exists (the sampler embeds it) before any test
// imports code that loads it (a no-op when bpf/profile.bpf.o is newer than its sources), and give
// every test 60 s unless it says otherwise: live tests sample for seconds, and a loaded machine
// stretches them (bunfig.toml's [test] timeout is not read by this Bun).

import { setDefaultTimeout } from "bun:test";
import { buildBpf } from "../build.ts";

buildBpf();
setDefaultTimeout(60_000);
