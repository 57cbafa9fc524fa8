// A BPF ring buffer map's memory, mapped into this process the way libbpf maps it: the consumer
// position page read-write, then the producer position page and the data area read-only. The
// kernel maps the data area twice in a row, so a record that wraps around reads as one piece.
import { mapShared, pageSize, type SharedMapping, unmapShared } from "./libc.ts";

export class RingbufMemory {
  /** [0]: how far user space has read (bytes since creation); written by us. */
  consumerPos: BigUint64Array;
  /** [0]: how far the kernel has written (bytes since creation). */
  producerPos: BigUint64Array;
  /** The data area (2 x size bytes, the second half a mirror of the first) as i32 and u32 words. */
  headers: Int32Array;
  words: Uint32Array;
  /** size - 1: data offset of a position is (position & mask). */
  readonly mask: number;
  private mappings: SharedMapping[];

  private constructor(readonly fd: number, size: number, consumer: SharedMapping, producer: SharedMapping, page: number) {
    this.mask = size - 1;
    this.mappings = [consumer, producer];
    this.consumerPos = new BigUint64Array(consumer.buffer, 0, 1);
    this.producerPos = new BigUint64Array(producer.buffer, 0, 1);
    this.headers = new Int32Array(producer.buffer, page, (2 * size) / 4);
    this.words = new Uint32Array(producer.buffer, page, (2 * size) / 4);
  }

  /** Maps the ring buffer map `fd` of `size` data bytes (its max_entries). Returns -errno on failure. */
  static map(fd: number, size: number): RingbufMemory | number {
    const page = pageSize();
    const consumer = mapShared(fd, page, 0, true);
    if (typeof consumer === "number") return consumer;
    const producer = mapShared(fd, page + 2 * size, page, false);
    if (typeof producer === "number") {
      unmapShared(consumer);
      return producer;
    }
    return new RingbufMemory(fd, size, consumer, producer, page);
  }

  /** Unmaps the memory; every view is emptied first so nothing can touch it afterwards. */
  unmap(): void {
    this.consumerPos = new BigUint64Array(1);
    this.producerPos = new BigUint64Array(1);
    this.headers = new Int32Array(0);
    this.words = new Uint32Array(0);
    for (const m of this.mappings.splice(0)) unmapShared(m);
  }
}
