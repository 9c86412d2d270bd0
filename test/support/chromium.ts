import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const ROOT = join(__dirname, '..', '..');
const PACKAGE = '@sparticuz/chromium';
const PACKAGE_DIR = join(ROOT, 'node_modules', ...PACKAGE.split('/'));

/**
 * The flags this machine's closed network needs: without the background-networking ones, Chromium's connections to
 * Google's hosts are refused many at a time. Deliberately not the package's own `args`: they switch off web security
 * and site isolation for serverless use, which would make the browser tests blind to CORS and cookie rules.
 */
const FLAGS = ['--no-sandbox', '--no-zygote', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * The Chromium that ships inside the npm package @sparticuz/chromium (a devDependency), so the browser tests need no
 * Debian package. The package inflates its Brotli archives into the OS temporary folder; here it inflates them once per
 * package version into node_modules/.cache, through a private folder renamed into place, so that parallel Jest workers
 * (or two checkouts) never launch a half-written binary. It runs in a child process because the package is ESM-only.
 */
export function chromiumExecutable(): string {
  if (!existsSync(join(PACKAGE_DIR, 'package.json'))) {
    throw new Error(`${PACKAGE} is missing from node_modules: the browser tests launch the Chromium it ships. Run \`npm install\` (it is a devDependency).`);
  }
  const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'sparticuz-chromium');
  const installed = join(cacheDir, version);
  const executable = join(installed, 'chromium');
  if (existsSync(executable)) return executable;

  mkdirSync(cacheDir, { recursive: true });
  const staging = mkdtempSync(join(cacheDir, `${version}.inflating-`));
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', `const { default: c } = await import(${JSON.stringify(PACKAGE)}); await c.executablePath();`], {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: staging },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 120_000,
    });
    renameSync(staging, installed);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another worker renamed its copy into place first: use that one.
    if (!existsSync(executable)) throw new Error(`${PACKAGE} could not inflate its Chromium into ${installed}: ${String(error)}`);
  }
  return executable;
}

/** Chromium, headless, from the npm package; a clear failure that names the package when it cannot start. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: FLAGS });
}
