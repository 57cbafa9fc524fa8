// Frame kinds and the frame table: every distinct (kind, name) pair gets one small integer id,
// so stacks are arrays of ints and the trie never compares strings.

export const FrameKind = {
  Root: 0,
  Process: 1,
  Pid: 2,
  Thread: 3,
  User: 4,
  Kernel: 5,
  Jit: 6,
  Unresolved: 7,
  /** Why a thread was off the CPU: the leaf of an off-CPU stack ([sleeping], [disk], [runnable]). */
  OffCpu: 8,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export const FRAME_KIND_NAMES: readonly string[] = [
  "root",
  "process",
  "pid",
  "thread",
  "user",
  "kernel",
  "jit",
  "unresolved",
  "off-cpu",
];

const KIND_COUNT = FRAME_KIND_NAMES.length;

export class FrameTable {
  readonly names: string[] = [];
  readonly kinds: number[] = [];
  /** Module (shared object, binary, kernel module) a frame came from, when known. */
  readonly modules: (string | null)[] = [];
  private readonly byKind: Map<string, number>[] = [];

  constructor() {
    for (let k = 0; k < KIND_COUNT; k++) this.byKind.push(new Map());
  }

  get size(): number {
    return this.names.length;
  }

  /**
   * Id of the frame (kind, name, module). Frames of the same name from different modules
   * stay apart, so a details view never shows the wrong file.
   */
  intern(name: string, kind: FrameKind = FrameKind.User, module: string | null = null): number {
    const key = module === null ? name : `${name}\u0000${module}`;
    return this.internKey(key, name, kind, module);
  }

  /**
   * Id of the frame (kind, name), whatever its module: what folded text means by a frame,
   * where two functions of one name are one frame. The first module seen is kept.
   */
  internByName(name: string, kind: FrameKind, module: string | null): number {
    return this.internKey(name, name, kind, module);
  }

  private internKey(key: string, name: string, kind: FrameKind, module: string | null): number {
    const map = this.byKind[kind]!;
    let id = map.get(key);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.kinds.push(kind);
      this.modules.push(module);
      map.set(key, id);
    } else if (module !== null && this.modules[id] === null) {
      this.modules[id] = module;
    }
    return id;
  }

  /** Id of a frame interned without a module (or by name), if any. */
  lookup(name: string, kind: FrameKind, module: string | null = null): number | undefined {
    return this.byKind[kind]!.get(module === null ? name : `${name}\u0000${module}`);
  }
}

/**
 * Kind of a frame read from folded text, where only the name is known. Recognises the
 * annotations FlameGraph and inferno add (`_[k]` kernel, `_[j]` JIT, `_[i]` inlined) and the
 * `[unknown]` / `[module]` placeholders perf uses for unresolved frames. Other frames are plain
 * user frames, the first one too: folded text does not say that it names a process.
 */
export function kindFromFoldedName(name: string, _depth = 0): FrameKind {
  const n = name.length;
  if (n > 4 && name.charCodeAt(n - 1) === 93 /* ] */ && name.charCodeAt(n - 4) === 95 /* _ */ && name.charCodeAt(n - 3) === 91) {
    const c = name.charCodeAt(n - 2);
    if (c === 107 /* k */) return FrameKind.Kernel;
    if (c === 106 /* j */) return FrameKind.Jit;
  }
  if (n >= 2 && name.charCodeAt(0) === 91 /* [ */ && name.charCodeAt(n - 1) === 93) return FrameKind.Unresolved;
  return FrameKind.User;
}
