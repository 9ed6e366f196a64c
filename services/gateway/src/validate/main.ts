// CLI of the validation harness: `npm run validate [-- --json] [RUN_DIR ...]` (default: every bundled run).
import { bundledRuns, formatValidation, validateRun, type RunValidation } from './validate.js';

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const dirs = argv.filter((a) => a !== '--json');
  const targets = dirs.length > 0 ? dirs : bundledRuns();
  if (targets.length === 0) {
    console.error('no run folders given and none bundled under models/');
    return 2;
  }
  const results: RunValidation[] = [];
  for (const dir of targets) results.push(await validateRun(dir, { onProgress: (line) => process.stderr.write(`${line}\n`) }));
  console.log(json ? JSON.stringify(results, null, 2) : formatValidation(results));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`validate: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
