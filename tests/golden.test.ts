// The bless switch must never be left on where tests are supposed to judge, i.e. in CI.

import { expect, test } from "bun:test";

test("FLAMETUI_BLESS is not set in CI", () => {
  const inCi = process.env.CI === "true" || process.env.CI === "1";
  expect(inCi && process.env.FLAMETUI_BLESS === "1").toBe(false);
});
