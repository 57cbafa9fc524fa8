// Reads records out of a BPF ring buffer in place, as libbpf's ring_buffer__consume does:
// acquire-load the producer position, walk the 8-byte record headers (skip discarded records,
// stop at one the kernel is still writing), hand each record out, release-store the consumer
// position.
//
// The producer page and the data are mapped read-only, and JavaScriptCore's optimizing tiers
// compile Atomics.load into a locked read-modify-write, which faults on read-only memory. So
// the shared memory is read with plain loads, ordered by a full fence (an atomic add on a word
// of our own) where libbpf has its acquire and release barriers.

/** The parts of a ring buffer's memory the reader uses (RingbufMemory, or arrays in tests). */
export interface RingViews {
  readonly consumerPos: BigUint64Array;
  readonly producerPos: BigUint64Array;
  /** Data area as i32 words (record headers; the area is read-only in the kernel's mapping). */
  readonly headers: Int32Array;
  readonly mask: number;
}

export const RINGBUF_HEADER_BYTES = 8;
const BUSY_BIT = 0x80000000 | 0;
const DISCARD_BIT = 0x40000000;
const LENGTH_MASK = 0x3fffffff;

/** Receives each record: its first u32 word index in the data area and its length in bytes. */
export interface RecordSink {
  record(word: number, length: number): void;
}

/**
 * The consumer position is stored after this many records too, not only at the end of a drain:
 * a record can take milliseconds (the first sight of a process reads its maps and ELF files),
 * and the kernel can reuse space only once it is released.
 */
const RELEASE_EVERY = 64;

const fenceWord = new Int32Array(new SharedArrayBuffer(4));

/**
 * A full memory barrier for the compiler and the CPU: a locked add on x86-64 and a
 * load-acquire/store-release add (LDADDAL) on arm64 with LSE atomics. (Without LSE, an
 * exclusive-load/store loop, it is weaker; nothing has run on arm64 yet.)
 */
function fence(): void {
  Atomics.add(fenceWord, 0, 0);
}

function release(ring: RingViews, consumer: number): void {
  fence(); // every read of the consumed records is done before the kernel may reuse them
  ring.consumerPos[0] = BigInt(consumer);
}

/** Bytes the kernel has written that the reader has not consumed yet (records in flight included). */
export function pendingBytes(ring: RingViews): number {
  return Number(ring.producerPos[0]! - ring.consumerPos[0]!);
}

/**
 * Hands out up to `budget` committed records in order and returns how many. A record is consumed
 * once handed out, even when the sink throws (the error propagates after the consumer
 * position is stored), so a bad record can never be delivered twice.
 */
export function drainRing(ring: RingViews, budget: number, sink: RecordSink): number {
  const headers = ring.headers;
  const mask = ring.mask;
  let consumer = Number(ring.consumerPos[0]!); // only this reader writes it
  let released = consumer;
  let delivered = 0;
  try {
    let producer = Number(ring.producerPos[0]!);
    fence(); // acquire: headers are read after the position that covers them
    while (consumer < producer && delivered < budget) {
      const word = (consumer & mask) >>> 2;
      const header = headers[word]!;
      fence(); // acquire: the record is read after its committed header
      if ((header & BUSY_BIT) !== 0) break; // still being written: later records must wait too
      consumer += ((header & LENGTH_MASK) + RINGBUF_HEADER_BYTES + 7) & ~7;
      if ((header & DISCARD_BIT) === 0) {
        delivered++;
        sink.record(word + 2, header & LENGTH_MASK);
        if (delivered % RELEASE_EVERY === 0) {
          release(ring, consumer);
          released = consumer;
        }
      }
      if (consumer >= producer) {
        producer = Number(ring.producerPos[0]!);
        fence();
      }
    }
  } finally {
    if (consumer !== released) release(ring, consumer);
  }
  return delivered;
}
