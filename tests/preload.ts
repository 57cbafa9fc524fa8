// bun test preload: make sure the BPF object exists (the sampler embeds it) before any test
// imports code that loads it; a no-op when bpf/profile.bpf.o is newer than its sources.

import { buildBpf } from "../build.ts";

buildBpf();
