// Type of `import viewScript from "./svg-view.js" with { type: "text" }` in svg.ts: the browser
// script's source text, embedded in every SVG file (also in the compiled executable).
declare const source: string;
export default source;
