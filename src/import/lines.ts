// Splits a stream of byte chunks into lines without copying, except for the one line that
// straddles two chunks. Lines of any length work: the carry buffer grows as needed.

import { withRoom } from "../profile/typed-arrays.ts";

export type LineHandler = (buf: Uint8Array, start: number, end: number, lineNo: number) => void;

export class LineSplitter {
  private carry = new Uint8Array(4096);
  private carryLen = 0;
  lineNo = 0;
  bytes = 0;

  constructor(private readonly onLine: LineHandler) {}

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let pos = 0;
    if (this.carryLen > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.append(chunk, 0, chunk.length);
        return;
      }
      this.append(chunk, 0, nl);
      const len = this.carryLen;
      this.carryLen = 0;
      this.onLine(this.carry, 0, len, ++this.lineNo);
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) break;
      this.onLine(chunk, pos, nl, ++this.lineNo);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.append(chunk, pos, chunk.length);
  }

  /** Flushes a last line that has no newline at the end. */
  end(): void {
    if (this.carryLen === 0) return;
    const len = this.carryLen;
    this.carryLen = 0;
    this.onLine(this.carry, 0, len, ++this.lineNo);
  }

  private append(src: Uint8Array, s: number, e: number): void {
    const need = this.carryLen + (e - s);
    this.carry = withRoom(this.carry, need);
    this.carry.set(src.subarray(s, e), this.carryLen);
    this.carryLen = need;
  }
}
