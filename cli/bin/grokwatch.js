#!/usr/bin/env node
// Installed as the `grokwatch` command; the CLI itself is compiled to dist/ by `npm run build`.
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then((code) => process.exit(code));
