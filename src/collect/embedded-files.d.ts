// Type of `import p from "…/profile.bpf.o" with { type: "file" }`: a path Bun.file can read.
declare module "*.bpf.o" {
  const path: string;
  export default path;
}
