// Live mode through runTui's subscribe: snapshots replace each other on screen, the status
// bar shows the live figures, `f` freezes the view and tells the producer.

import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { hasTmux, TmuxSession } from "./tmux.ts";

const APP = join(import.meta.dir, "fixtures/tui-app.ts");
let session: TmuxSession | null = null;
afterEach(() => {
  session?.kill();
  session = null;
});

test.skipIf(!hasTmux)("live snapshots update the view until frozen; q quits and unsubscribes", async () => {
  const s = (session = new TmuxSession(`bun run ${APP}`, 100, 30, { FLAMETUI_TEST_MODE: "live" }));
  await s.waitFor((x) => /fixed 99 Hz · 1,0\d\d samples\/s · lost \d+/.test(x));
  // select main, then zoom: the zoom survives the stream of snapshots
  s.keys("k", "Enter");
  await s.waitFor((x) => x.includes("100% of zoom") && /tick\d/.test(x));
  s.keys("f");
  const frozen = await s.waitFor((x) => x.includes("paused"));
  const tick = /tick\d+/.exec(frozen)?.[0];
  await Bun.sleep(700);
  const later = s.screen();
  expect(/tick\d+/.exec(later)?.[0]).toBe(tick); // the view did not move while frozen
  s.keys("f");
  await s.waitFor((x) => !x.includes("paused") && /tick\d+/.exec(x)?.[0] !== tick);
  s.keys("q");
  const end = await s.waitFor((x) => x.includes("EXITED rc="));
  expect(end).toContain("FREEZES true,false");
  expect(end).toContain("EXITED rc=0");
  expect(s.flag("alternate_on")).toBe("0");
}, 30000);
