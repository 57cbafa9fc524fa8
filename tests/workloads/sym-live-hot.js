// A hot JavaScript function for the JIT symbol test (node --perf-basic-prof): spins argv[2]
// seconds in flametuiHotLoop(), which V8 optimises early.
function flametuiHotLoop(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i * 2654435761) % 1000003;
  return s;
}
const end = Date.now() + Number(process.argv[2] || 3) * 1000;
let t = 0;
while (Date.now() < end) t += flametuiHotLoop(100000);
if (t < 0) console.log(t);
