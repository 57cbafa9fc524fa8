// Splits a stream of byte chunks into lines without copying, except for the one line that
// straddles two chunks. Lines longer than a limit are skipped as they stream past (never held
// whole) and reported with their number and first byte.

import { withRoom } from "../profile/typed-arrays.ts";
import { MAX_LINE_BYTES } from "./limits.ts";

export type LineHandler = (buf: Uint8Array, start: number, end: number, lineNo: number) => void;
/** A skipped over-long line: its number and its first byte (to tell a stack line from a header). */
export type LongLineHandler = (lineNo: number, firstByte: number) => void;

export class LineSplitter {
  private carry = new Uint8Array(4096);
  private carryLen = 0;
  /** First byte of the over-long line being skipped, or -1 when not skipping. */
  private skipping = -1;
  lineNo = 0;
  bytes = 0;

  constructor(
    private readonly onLine: LineHandler,
    private readonly onTooLong: LongLineHandler = () => {},
    private readonly maxLine = MAX_LINE_BYTES,
  ) {}

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let pos = 0;
    if (this.skipping >= 0 || this.carryLen > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.append(chunk, 0, chunk.length);
        return;
      }
      this.append(chunk, 0, nl);
      this.flush();
      pos = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) break;
      if (nl - pos > this.maxLine) this.onTooLong(++this.lineNo, chunk[pos]!);
      else this.onLine(chunk, pos, nl, ++this.lineNo);
      pos = nl + 1;
    }
    if (pos < chunk.length) this.append(chunk, pos, chunk.length);
  }

  /** Flushes a last line that has no newline at the end. */
  end(): void {
    if (this.skipping >= 0 || this.carryLen > 0) this.flush();
  }

  private flush(): void {
    const len = this.carryLen;
    this.carryLen = 0;
    if (this.skipping >= 0) {
      const first = this.skipping;
      this.skipping = -1;
      this.onTooLong(++this.lineNo, first);
    } else {
      this.onLine(this.carry, 0, len, ++this.lineNo);
    }
  }

  private append(src: Uint8Array, s: number, e: number): void {
    if (this.skipping >= 0) return;
    const need = this.carryLen + (e - s);
    if (need > this.maxLine) {
      this.skipping = this.carryLen > 0 ? this.carry[0]! : src[s]!;
      this.carryLen = 0;
      this.carry = new Uint8Array(4096); // let the big buffer go
      return;
    }
    this.carry = withRoom(this.carry, need);
    this.carry.set(src.subarray(s, e), this.carryLen);
    this.carryLen = need;
  }
}
