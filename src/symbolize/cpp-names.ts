// Short C++ function names as perf shows them by default: a demangled name without its return
// type, argument list, cv/ref qualifiers and `[clone .isra.0]`-style suffixes. Pure text work on
// __cxa_demangle's output; template arguments, scopes, lambdas and ABI tags are kept.
//
//   v8::internal::MaybeHandle<v8::internal::Object> v8::internal::(anonymous namespace)::Invoke(v8::internal::Isolate*)
//     -> v8::internal::(anonymous namespace)::Invoke
//   ns::Box<int>::operator<(ns::Box<int> const&) const [clone .isra.0]  -> ns::Box<int>::operator<

const CLONE = / \[clone [^\]]*\]$/;
const QUALIFIER = / (?:const|volatile|&&|&|noexcept|throw\(\))$/;
/** Operator spellings after `operator`, longest first. */
const OPERATORS = [
  "<=>", "->*", "<<=", ">>=", "()", "[]", "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "++", "--",
  "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<", ">", "+", "-", "*", "/", "%", "^", "&", "|", "~", "!", "=", ",",
];

/**
 * The short form of demangled name `full`, or `full` itself when it is not a function signature
 * (no argument list) or cannot be taken apart.
 */
export function shortCppName(full: string): string {
  let s = full;
  // "non-virtual thunk to X", "virtual thunk to X", "covariant return thunk to X": keep the words.
  const thunk = /^((?:non-virtual |virtual |covariant return )?thunk to )/.exec(s);
  if (thunk) return thunk[1] + shortCppName(s.slice(thunk[1]!.length));
  for (;;) {
    const before = s;
    s = s.replace(CLONE, "").replace(QUALIFIER, "");
    if (s === before) break;
  }
  if (!s.endsWith(")")) return s === full ? full : s; // a variable, a vtable, a guard... (suffixes dropped)
  const open = matchingOpen(s, s.length - 1);
  if (open <= 0) return full;
  let name = s.slice(0, open);
  // A function returning a function pointer: `R (*ns::f(int))(double)`.
  if (name.endsWith(")") && !/\boperator\s*\(\)$/.test(name)) {
    const inner = matchingOpen(name, name.length - 1);
    if (inner < 0) return full;
    const decl = name.slice(inner + 1, -1).replace(/^[*&]+\s*/, "");
    return shortCppName(decl);
  }
  name = dropReturnType(name);
  return name === "" ? full : name;
}

/** Index of the `(` that `)` at `close` closes, counting parentheses only; -1 if none. */
function matchingOpen(s: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 41 /* ) */) depth++;
    else if (c === 40 /* ( */) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * `R ns::f<T>` -> `ns::f<T>`: what follows the last space outside brackets, up to the first
 * `operator` keyword at the top level (its spelling may hold spaces, `<`, `>`: `operator<< <T>`,
 * `operator new[]`, `operator unsigned long`).
 */
function dropReturnType(name: string): string {
  let depth = 0;
  let start = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!;
    if (c === "o" && name.startsWith("operator", i) && !isIdent(name.charCodeAt(i - 1)) && !isIdent(name.charCodeAt(i + 8))) {
      if (depth === 0) break; // the rest is the name
      i += 7;
      const op = OPERATORS.find((o) => name.startsWith(o, i + 1));
      if (op) i += op.length;
      continue;
    }
    if (c === "<" || c === "(" || c === "[" || c === "{") depth++;
    else if (c === ">" || c === ")" || c === "]" || c === "}") depth = Math.max(0, depth - 1);
    else if (c === " " && depth === 0) start = i + 1;
  }
  return name.slice(start);
}

function isIdent(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
}
