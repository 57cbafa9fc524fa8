// Two symbol tables seen as one: MiniDebugInfo's .symtab holds only the functions missing from
// .dynsym, so a stripped binary's full table is the union; the innermost match wins.
import type { SymbolTable } from "./elf.ts";

export class MergedSymbols implements SymbolTable {
  constructor(
    private readonly a: SymbolTable,
    private readonly b: SymbolTable,
  ) {}

  get symbolCount(): number {
    return this.a.symbolCount + this.b.symbolCount;
  }

  /** Index into a (0..a.symbolCount-1) or b (shifted by a.symbolCount); the later start wins. */
  lookup(vaddr: number): number {
    const i = this.a.lookup(vaddr);
    const j = this.b.lookup(vaddr);
    if (j < 0) return i;
    if (i < 0 || this.b.start(j) > this.a.start(i)) return j + this.a.symbolCount;
    return i;
  }

  start(i: number): number {
    const n = this.a.symbolCount;
    return i < n ? this.a.start(i) : this.b.start(i - n);
  }

  name(i: number): string {
    const n = this.a.symbolCount;
    return i < n ? this.a.name(i) : this.b.name(i - n);
  }
}
