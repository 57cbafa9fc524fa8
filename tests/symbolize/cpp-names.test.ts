// Short C++ names (src/symbolize/cpp-names.ts): what perf shows by default, from the full
// demangled form. Cases written by hand in __cxa_demangle's spelling, plus real symbols of a
// program built here, each checked against `perf report`'s default naming where it applies.
import { describe, expect, test } from "bun:test";
import { cxaDemangle } from "../../src/ffi/demangle.ts";
import { shortCppName } from "../../src/symbolize/cpp-names.ts";

const cases: [string, string, string][] = [
  // [what it tests, full, short]
  ["plain", "foo(int)", "foo"],
  ["no arguments", "ns::f()", "ns::f"],
  ["not a function", "ns::counter", "ns::counter"],
  ["return type of a template function", "std::vector<int, std::allocator<int> > ns::make<int>(int, long (*)(int))", "ns::make<int>"],
  ["v8 (the issue's example)", "v8::internal::MaybeHandle<v8::internal::Object> v8::internal::(anonymous namespace)::Invoke(v8::internal::Isolate*, v8::internal::(anonymous namespace)::InvokeParams const&)", "v8::internal::(anonymous namespace)::Invoke"],
  ["anonymous namespace with qualifiers and clone", "(anonymous namespace)::Anon::run(int) const [clone .constprop.0]", "(anonymous namespace)::Anon::run"],
  ["several clone suffixes", "foo(int) [clone .isra.0] [clone .cold]", "foo"],
  ["clone suffix on a non-function", "table [clone .lto_priv.0]", "table"],
  ["operator<", "ns::Box<int>::operator<(ns::Box<int> const&) const [clone .isra.0]", "ns::Box<int>::operator<"],
  ["operator> with a return type", "bool ns::Box<int>::operator><int>(ns::Box<int> const&) const", "ns::Box<int>::operator><int>"],
  ["operator()", "ns::Box<int>::operator()(int) &", "ns::Box<int>::operator()"],
  ["operator() without arguments", "Functor::operator()() const", "Functor::operator()"],
  ["operator<< template with a space", "std::basic_ostream<char, std::char_traits<char> >& std::operator<< <std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char const*)", "std::operator<< <std::char_traits<char> >"],
  ["operator>>", "std::istream::operator>>(int&)", "std::istream::operator>>"],
  ["operator->", "std::unique_ptr<A, std::default_delete<A> >::operator->() const", "std::unique_ptr<A, std::default_delete<A> >::operator->"],
  ["operator<=>", "ns::V::operator<=>(ns::V const&) const", "ns::V::operator<=>"],
  ["operator[]", "std::vector<int, std::allocator<int> >::operator[](unsigned long)", "std::vector<int, std::allocator<int> >::operator[]"],
  ["operator new", "operator new(unsigned long)", "operator new"],
  ["operator delete[]", "operator delete[](void*, unsigned long)", "operator delete[]"],
  ["conversion operator", "ns::A::operator unsigned long() const", "ns::A::operator unsigned long"],
  ["conversion operator to a template", "ns::A::operator std::vector<int, std::allocator<int> >() const &&", "ns::A::operator std::vector<int, std::allocator<int> >"],
  ["lambda", "main::{lambda(int)#1}::operator()(int) const", "main::{lambda(int)#1}::operator()"],
  ["lambda in a function with arguments", "ns::outer(std::vector<int, std::allocator<int> > const&)::{lambda(auto:1)#2}::operator()<int>(int) const", "ns::outer(std::vector<int, std::allocator<int> > const&)::{lambda(auto:1)#2}::operator()<int>"],
  ["function type in template arguments", "std::_Function_handler<long (int), main::{lambda(int)#1}>::_M_invoke(std::_Any_data const&, int&&)", "std::_Function_handler<long (int), main::{lambda(int)#1}>::_M_invoke"],
  ["function pointer argument", "qsort_r_impl(void*, unsigned long, int (*)(void const*, void const*, void*), void*)", "qsort_r_impl"],
  ["function returning a function pointer", "void (*ns::handler(int))(double)", "ns::handler"],
  ["cv and ref qualifiers", "ns::S::get() const volatile &&", "ns::S::get"],
  ["noexcept", "ns::S::swap(ns::S&) noexcept", "ns::S::swap"],
  ["ABI tag kept, as perf shows it", "ns::tagged[abi:cxx11]()", "ns::tagged[abi:cxx11]"],
  ["ABI tag on a return type", "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > ns::name[abi:cxx11]<int>(int)", "ns::name[abi:cxx11]<int>"],
  ["pointer return type", "char const* ns::c_str<char>(ns::Str const&)", "ns::c_str<char>"],
  ["unsigned return type", "unsigned long ns::hash<unsigned long>(unsigned long)", "ns::hash<unsigned long>"],
  ["decltype return type", "decltype ({parm#1}+{parm#2}) ns::add<int, int>(int, int)", "ns::add<int, int>"],
  ["expression in template arguments", "void ns::fill<(ns::Mode)2>(int)", "ns::fill<(ns::Mode)2>"],
  ["thunk", "non-virtual thunk to ns::Derived::run(int)", "non-virtual thunk to ns::Derived::run"],
  ["virtual thunk", "virtual thunk to ns::Derived::~Derived()", "virtual thunk to ns::Derived::~Derived"],
  ["destructor", "ns::Box<int>::~Box()", "ns::Box<int>::~Box"],
  ["vtable (not a function)", "vtable for ns::Derived", "vtable for ns::Derived"],
  ["guard variable", "guard variable for ns::get()::instance", "guard variable for ns::get()::instance"],
  ["unnamed type", "ns::{unnamed type#1}::f(int)", "ns::{unnamed type#1}::f"],
];

describe("shortCppName", () => {
  for (const [what, full, short] of cases) {
    test(what, () => expect(shortCppName(full)).toBe(short));
  }

  test("C names and unbalanced text pass through", () => {
    expect(shortCppName("main")).toBe("main");
    expect(shortCppName("[unknown]")).toBe("[unknown]");
    expect(shortCppName("f)")).toBe("f)");
    expect(shortCppName("")).toBe("");
  });

  test("real mangled names through __cxa_demangle", () => {
    const real: [string, string][] = [
      ["_ZNK12_GLOBAL__N_14Anon3runEi.constprop.0", "(anonymous namespace)::Anon::run"],
      ["_ZNK2ns3BoxIiEltERKS1_.isra.0", "ns::Box<int>::operator<"],
      ["_ZNR2ns3BoxIiEclEi.isra.0", "ns::Box<int>::operator()"],
      ["_ZN2ns4makeIiEESt6vectorIT_SaIS2_EES2_PFliE", "ns::make<int>"],
      ["_ZN2ns6taggedB5cxx11Ev", "ns::tagged[abi:cxx11]"],
      ["_ZNSt17_Function_handlerIFliEZ4mainEUliE_E9_M_invokeERKSt9_Any_dataOi", "std::_Function_handler<long (int), main::{lambda(int)#1}>::_M_invoke"],
      ["_ZNSt6vectorIiSaIiEE17_M_realloc_insertIJRKiEEEvN9__gnu_cxx17__normal_iteratorIPiS1_EEDpOT_", "std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>"],
      ["_ZStlsISt11char_traitsIcEERSt13basic_ostreamIcT_ES5_PKc", "std::operator<< <std::char_traits<char> >"],
      ["_Znwm", "operator new"],
    ];
    for (const [raw, short] of real) {
      const full = cxaDemangle(raw);
      expect(full).not.toBeNull();
      expect(shortCppName(full!)).toBe(short);
    }
  });
});
