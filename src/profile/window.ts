// Sliding window over time slots for `ring` mode: every stack goes into the main trie and into
// the trie of the current slot; when a slot falls out of the window, its stacks are subtracted
// again, so the main trie always holds exactly the last N slots and memory stays bounded.

import { FrameTable } from "./frames.ts";
import { ROOT, StackTrie } from "./trie.ts";

export class SlidingWindow {
  readonly trie: StackTrie;
  private readonly slots: StackTrie[] = [];
  /** Absolute index of the slot that receives new samples. */
  private current = 0;

  constructor(
    readonly size: number,
    frames: FrameTable = new FrameTable(),
  ) {
    if (!(size >= 1)) throw new RangeError("window needs at least one slot");
    this.trie = new StackTrie(frames);
    this.slots.push(new StackTrie(frames));
  }

  get currentSlot(): number {
    return this.current;
  }

  add(stack: ArrayLike<number>, len: number, weight: number): void {
    this.trie.add(stack, len, weight);
    this.slots[this.slots.length - 1]!.add(stack, len, weight);
  }

  /**
   * Adds to absolute slot `slot` (the slot the sample was taken in, which may be older than
   * the current one when samples are read late). A later slot moves the window forward first;
   * a slot that already left the window is refused: returns false.
   */
  addAt(slot: number, stack: ArrayLike<number>, len: number, weight: number): boolean {
    if (slot > this.current) this.advanceTo(slot);
    const back = this.current - slot;
    if (back >= this.slots.length) return false;
    this.trie.add(stack, len, weight);
    this.slots[this.slots.length - 1 - back]!.add(stack, len, weight);
    return true;
  }

  /**
   * Moves the window forward to absolute slot `slot` (slots that got no samples count too,
   * so an idle period still ages old samples out). Returns the number of slots evicted.
   */
  advanceTo(slot: number): number {
    let evicted = 0;
    while (this.current < slot) {
      this.current++;
      this.slots.push(new StackTrie(this.trie.frames));
      if (this.slots.length > this.size) {
        this.evict(this.slots.shift()!);
        evicted++;
      }
      // Far behind (e.g. after a long stall): no need to create slots that are evicted at once.
      if (slot - this.current > this.size) {
        for (const s of this.slots.splice(0, this.slots.length - 1)) this.evict(s);
        this.current = slot - this.size;
      }
    }
    return evicted;
  }

  private evict(slot: StackTrie): void {
    const path: number[] = [];
    // Walk the slot trie and subtract every node's self weight along its path.
    const walk = (node: number) => {
      for (let c = slot.firstChild[node]!; c !== -1; c = slot.nextSibling[c]!) {
        path.push(slot.frame[c]!);
        const w = slot.self[c]!;
        if (w > 0 && !this.trie.subtract(path, path.length, w)) throw new Error("sliding window out of step with its slots");
        walk(c);
        path.pop();
      }
    };
    walk(ROOT);
  }
}
