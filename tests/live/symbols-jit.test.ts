// JIT frames: node --perf-basic-prof writes /tmp/perf-PID.map; flametui names JIT code from it
// (kind jit). --interpreted-frames-native-stack gives interpreted callers their own frames so
// the frame-pointer walk names them too. Run as root with node installed.

import { describe, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isRoot } from "./helpers.ts";
import { WORKLOADS, profile, stacksOf } from "./sym-helpers.ts";

const node = ["/usr/bin/node", "/usr/local/bin/node"].find(existsSync);
if (isRoot && !node) console.warn("JIT test skipped: node is not installed");

describe.skipIf(!isRoot || !node)("symbols: JIT (perf-PID.map)", () => {
  test("a hot JS function is named from node's perf map", async () => {
    const script = join(WORKLOADS, "sym-live-hot.js");
    const w = Bun.spawn([node!, "--perf-basic-prof", "--interpreted-frames-native-stack", script, "4"]);
    const map = `/tmp/perf-${w.pid}.map`;
    try {
      await Bun.sleep(600); // node starts and compiles the loop
      const stacks = stacksOf(await profile(["fixed", "--hz", "499", "--ms", "1500", "--pid", String(w.pid)], "jit"), "node");
      w.kill();
      expect(existsSync(map)).toBe(true);
      // perf-map names look like "JS:*flametuiHotLoop /path:1:25" (node 20; "LazyCompile:" before).
      const hot = /^(JS|LazyCompile):[*~^]?flametuiHotLoop /;
      // The script's top level (an ES module here, as package.json says "type": "module").
      const top = /^(Script|JS|LazyCompile):~ (file:\/\/)?\/.*\/sym-live-hot\.js:1:1$/;
      let total = 0;
      let inHot = 0;
      let withCaller = 0;
      for (const [f, n] of stacks) {
        total += n;
        const i = f.findIndex((x) => hot.test(x));
        if (i < 0) continue;
        inHot += n;
        if (f.slice(0, i).some((x) => top.test(x))) withCaller += n;
      }
      console.log(`jit: ${total} samples, ${inHot} in flametuiHotLoop, ${withCaller} of them under the script's top-level frame`);
      expect(total).toBeGreaterThan(100); // fewer on a loaded machine
      expect(inHot).toBeGreaterThan(0.8 * total);
      expect(withCaller).toBeGreaterThan(0.8 * inHot);
    } finally {
      w.kill();
      rmSync(map, { force: true });
    }
  });
});
