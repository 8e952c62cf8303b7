// The textlint rules ship as CommonJS without type declarations; they are textlint rule modules.
declare module 'textlint-rule-max-ten' {
  const rule: import('@textlint/kernel').TextlintKernelRule['rule'];
  export default rule;
}
declare module 'textlint-rule-no-mix-dearu-desumasu' {
  const rule: import('@textlint/kernel').TextlintKernelRule['rule'];
  export default rule;
}
declare module 'textlint-rule-prh' {
  const rule: import('@textlint/kernel').TextlintKernelRule['rule'];
  export default rule;
}
declare module 'textlint-rule-sentence-length' {
  const rule: import('@textlint/kernel').TextlintKernelRule['rule'];
  export default rule;
}
