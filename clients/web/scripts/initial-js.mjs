// The JavaScript a first visit downloads (the entry script and its modulepreloads), gzipped; fails over budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 300;
const html = readFileSync('dist/index.html', 'utf8');
const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const file of new Set(files)) total += gzipSync(readFileSync(`dist${file}`), { level: 9 }).length;
const kb = (total / 1024).toFixed(1);
console.log(`initial JavaScript: ${files.length} files, ${kb} KB gzipped (budget ${BUDGET_KB} KB)`);
if (total > BUDGET_KB * 1024) process.exit(1);
