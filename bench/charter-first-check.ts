/**
 * Run by bench/charter.ts in a fresh process: the time from process start to the first check
 * result (module loading, charter compilation, kuromoji dictionary load, the check itself).
 * With `--preload`, the dictionary load starts first thing, as a server does at start
 * (`preloadMorphology()`), and the other modules load meanwhile. Prints one JSON line.
 */
const imported = performance.now();
if (process.argv.includes('--preload')) {
  const { preloadMorphology } = await import('../src/charter/morphology.ts');
  void preloadMorphology();
}
const { createChecker } = await import('../src/charter/check-message.ts');
const { DEMO_CHARTER } = await import('../src/demo/demo-charter.ts');
const { generateMessage } = await import('./support/charter-messages.ts');
const modulesLoaded = performance.now();
const checker = createChecker(DEMO_CHARTER);
const result = await checker.check(generateMessage(1, 0, { minLength: 480, maxLength: 500 }));
const done = performance.now();
console.log(
  JSON.stringify({
    sinceProcessStart: done,
    sinceImport: done - imported,
    modules: modulesLoaded - imported,
    firstCheck: done - modulesLoaded,
    findings: result.findings.length,
  }),
);
