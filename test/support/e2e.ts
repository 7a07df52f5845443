/** One test file's own demo instance and Chromium: started before its tests, closed after them. */
import { after, before } from 'node:test';
import type { Browser } from 'puppeteer-core';
import { launchChromium } from './browser.js';
import { startTestDemo, type Demo } from './demo.js';

export function demoAndBrowser(options: Parameters<typeof startTestDemo>[0] = {}): { readonly demo: Demo; readonly browser: Browser } {
  const handles = {} as { demo: Demo; browser: Browser };
  before(async () => {
    handles.demo = await startTestDemo(options);
    handles.browser = await launchChromium();
  });
  after(async () => {
    await handles.browser?.close();
    await handles.demo?.close();
  });
  return handles;
}
