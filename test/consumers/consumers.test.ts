/**
 * The package as someone else's app gets it: `npm pack` of this build, installed from the tarball
 * into a fresh Vite + React project (vite-react/) and a plain-HTML project (plain-html/), each
 * type-checked and built with its own tools, then served from its own origin under a strict CSP
 * (`script-src 'self'`, Trusted Types) against a demo server that lists both origins in
 * `VEIL_ALLOWED_ORIGINS`. Alice's player plays sample-hls (with the hls.js worker file from the
 * package's `exports`); mallory, outside the perimeter, is told she has no access — by the player,
 * and by the page's own `veil-error` handler (React: the typed `onVeilError` callback).
 *
 * Installs resolve from npm's local cache first (`--prefer-offline`); only what the cache lacks is
 * fetched from the registry.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { assertPlays, launchChromium, playerState, signInAt, watchCsp, watchRequests } from '../support/browser.js';
import { startTestDemo, type Demo } from '../support/demo.js';
import { serveStatic } from '../support/static-server.js';
import { ERROR_CODES } from '../../src/protocol/error-hints.js';

const exec = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Versions the projects install: the ones this repository builds and tests with (so the cache has them). */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Runs a command; a failure says which step failed, with its output. */
async function step(name: string, command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 64 << 20 });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${name} failed (${command} ${args.join(' ')} in ${options.cwd}):\n${stdout}\n${stderr}`);
  }
}

const pageCsp = (veilOrigin: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "media-src 'self' blob:",
    `connect-src 'self' ${veilOrigin}`,
    "worker-src 'self'",
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    // lit's template policy and the page's default policy that admits the hls.js worker file.
    'trusted-types lit-html default',
  ].join('; ');

interface Site {
  name: string;
  origin: string;
  server: Server;
  headers: Record<string, string>;
  /** The worker file's path on the site, once built. */
  workerPath: () => string;
}

let work: string;
let demo: Demo;
let browser: Browser;
const sites: Site[] = [];

async function serveSite(name: string, folder: string, workerPath: () => string): Promise<Site> {
  const headers: Record<string, string> = {};
  const { server, origin } = await serveStatic(folder, { headers });
  // localhost, not 127.0.0.1: another site than the demo's, as a developer's own page would be.
  return { name, server, headers, workerPath, origin: origin.replace('127.0.0.1', 'localhost') };
}

before(async () => {
  assert.ok(existsSync(join(ROOT, 'dist/react.js')), 'dist/ is built (npm run build)');
  work = await mkdtemp(join(tmpdir(), 'veil-consumers-'));
  const packed = JSON.parse(await step('npm pack', 'npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT })) as Array<{ filename: string }>;
  for (const project of ['vite-react', 'plain-html']) {
    cpSync(join(HERE, project), join(work, project), { recursive: true, filter: (path) => !/\/(dist|node_modules)$/.test(path) });
  }
  // One install at the root of the work folder serves both projects (Node resolves upwards).
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({
      name: 'veil-consumers',
      private: true,
      type: 'module',
      dependencies: { 'veil-video': `file:./${packed[0]!.filename}`, react: installedVersion('react'), 'react-dom': installedVersion('react-dom') },
      devDependencies: Object.fromEntries(['vite', 'typescript', '@types/react', '@types/react-dom'].map((name) => [name, installedVersion(name)])),
    }),
  );
  await step('npm install', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: work });

  sites.push(
    await serveSite('vite-react', join(work, 'vite-react/dist'), () => {
      const worker = readdirSync(join(work, 'vite-react/dist/assets')).find((file) => /^hls\.worker-.*\.js$/.test(file));
      assert.ok(worker, 'Vite emitted the hls.js worker file as an asset');
      return `/assets/${worker}`;
    }),
    await serveSite('plain-html', join(work, 'plain-html/dist'), () => '/veil/hls.worker.js'),
  );
  process.env.VEIL_ALLOWED_ORIGINS = sites.map((site) => site.origin).join(',');
  try {
    demo = await startTestDemo();
  } finally {
    delete process.env.VEIL_ALLOWED_ORIGINS;
  }
  for (const site of sites) site.headers['content-security-policy'] = pageCsp(demo.config.origin);

  const bin = (name: string) => join(work, 'node_modules/.bin', name);
  await step('type-check vite-react', bin('tsc'), ['-p', 'tsconfig.json'], { cwd: join(work, 'vite-react') });
  await step('type-check plain-html', bin('tsc'), ['-p', 'tsconfig.json'], { cwd: join(work, 'plain-html') });
  await step('vite build', bin('vite'), ['build', '--logLevel', 'warn'], { cwd: join(work, 'vite-react'), env: { VITE_VEIL_ORIGIN: demo.config.origin } });
  await step('plain-html build', process.execPath, ['build.mjs'], { cwd: join(work, 'plain-html'), env: { VEIL_ORIGIN: demo.config.origin } });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const site of sites) site.server.close();
  await demo?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed package in consumer projects', () => {
  it('installs from the tarball with its files, its exports and no test or demo code', () => {
    const installed = join(work, 'node_modules/veil-video');
    for (const file of ['dist/index.js', 'dist/react.js', 'dist/hls.worker.js', 'dist/types/react/index.d.ts', 'custom-elements.json']) {
      assert.ok(existsSync(join(installed, file)), file);
    }
    for (const folder of ['test', 'demo', 'node_modules']) assert.equal(existsSync(join(installed, folder)), false, `${folder}/ is not published`);
    // React stays the app's: the wrapper entry imports it and never bundles a copy.
    assert.match(readFileSync(join(installed, 'dist/react.js'), 'utf8'), /from"react"/);
  });

  it('builds pages that hold no inline script', () => {
    for (const project of ['vite-react', 'plain-html']) {
      const html = readFileSync(join(work, project, 'dist/index.html'), 'utf8');
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, `${project}: every script is a file`);
    }
  });

  for (const name of ['vite-react', 'plain-html']) {
    describe(name, () => {
      const site = () => sites.find((candidate) => candidate.name === name)!;

      it('alice signs in at the demo IdP, and the player plays sample-hls with the worker file', async () => {
        const context = await browser.createBrowserContext();
        try {
          const page = await context.newPage();
          const csp = watchCsp(page);
          const requests = watchRequests(page);
          await signInAt(page, '/', 'alice@acme.test', { origin: site().origin });
          await playerState(page, ['paused', 'playing']);
          await assertPlays(page);
          assert.ok(requests.includes(`${site().origin}${site().workerPath()}`), `the hls.js worker came from the page's origin:\n${requests.join('\n')}`);
          assert.equal(await page.$('[role="alert"]'), null, 'no error reached the page');
          assert.deepEqual(csp, []);
        } finally {
          await context.close();
        }
      });

      it('mallory (outside the perimeter) is told she has no access, by the player and the page', async () => {
        const context = await browser.createBrowserContext();
        try {
          const page = await context.newPage();
          const csp = watchCsp(page);
          await signInAt(page, '/', 'mallory@globex.test', { origin: site().origin });
          await playerState(page, ['denied']);
          const expected = ERROR_CODES.PERIMETER_DENIED.message;
          const shown = await page.waitForFunction(
            (text: string) => document.querySelector('veil-player')!.shadowRoot!.querySelector('[part="message"]')?.textContent?.includes(text),
            { timeout: 10_000 },
            expected,
          );
          assert.ok(await shown.jsonValue());
          assert.equal(await page.$eval('veil-player', (player) => player.getAttribute('error-code')), 'PERIMETER_DENIED');
          const alert = await page.waitForSelector('[role="alert"]', { timeout: 10_000 });
          assert.deepEqual(await alert!.evaluate((element) => [(element as HTMLElement).dataset.code, element.textContent?.trim()]), ['PERIMETER_DENIED', expected]);
          assert.deepEqual(csp, []);
        } finally {
          await context.close();
        }
      });
    });
  }
});
