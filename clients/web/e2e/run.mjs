// End-to-end: Playwright (playwright-core) driving Debian's chromium against a real API; axe on every page;
// screenshots of the main screens into test-results/. Exit code 1 when any step fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { ADMIN, VIEWER, startApi } from './server.mjs';
import { journey } from './journey.mjs';

const SHOTS = join(import.meta.dirname, '..', 'test-results');
mkdirSync(SHOTS, { recursive: true });

const api = await startApi();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ baseURL: api.base, viewport: { width: 1280, height: 900 } });
// The NHS fonts come from a CDN this machine cannot reach: fail those at once instead of waiting.
await context.route(/^https?:\/\/(?!127\.0\.0\.1)/, (route) => route.abort());
const page = await context.newPage();
page.setDefaultTimeout(10_000);
const consoleErrors = [];
page.on('pageerror', (error) => consoleErrors.push(String(error)));

const results = [];
const axeReport = [];

/** axe-core on the page as it is now: any serious or critical WCAG 2.2 A/AA violation fails the step. */
async function axe(name) {
  const found = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  const bad = found.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  axeReport.push({ page: name, url: page.url(), violations: found.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })) });
  if (bad.length) throw new Error(`axe on ${name}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`).join(' | ')}`);
}

async function shot(name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false, error: String(error?.message ?? error) });
    console.log(`  ✗ ${name}\n      ${String(error?.message ?? error).split('\n').slice(0, 6).join('\n      ')}`);
    await page.screenshot({ path: join(tmpdir(), `involve-e2e-failed-${results.length}.png`) }).catch(() => {});
  }
}

console.log(`e2e against ${api.base}`);
try {
  await journey({ page, step, axe, shot, ADMIN, VIEWER, base: api.base });
} finally {
  await browser.close();
  api.stop();
}
writeFileSync(join(tmpdir(), 'involve-e2e-axe.json'), JSON.stringify(axeReport, null, 2));
const serverErrors = api.errors();
if (serverErrors.length) {
  results.push({ name: 'the server logged no error', ok: false });
  console.log(`  ✗ the server logged ${serverErrors.length} error(s), first: ${serverErrors[0].slice(0, 300)}`);
}
const failed = results.filter((r) => !r.ok);
if (consoleErrors.length) console.log(`page errors: ${consoleErrors.join(' | ')}`);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed; axe ran on ${axeReport.length} pages`);
process.exit(failed.length ? 1 : 0);
