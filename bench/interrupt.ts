// Ends a tool the way a user does (Ctrl-C) and waits for it to write its results. A SIGINT that
// arrives while a tool is still starting can go unseen (bpftrace installs its handler late), so it
// is sent again every few seconds.

export async function interrupt(p: Bun.Subprocess, everyMs = 5000): Promise<void> {
  for (;;) {
    p.kill("SIGINT");
    const ended = await Promise.race([p.exited.then(() => true), Bun.sleep(everyMs).then(() => false)]);
    if (ended) return;
  }
}
