/** Counting what a viewer would notice during playback: renewals and stalls after the first frame. */
import type { Browser, Page } from 'puppeteer-core';

/** A page in a fresh context that counts renewals and post-first-frame `waiting` events from the very first document on. */
export async function instrumentedPage(browser: Browser): Promise<Page> {
  const page = await (await browser.createBrowserContext()).newPage();
  await page.evaluateOnNewDocument(() => {
    const probe = { renewals: 0, waitingAfterFirstFrame: 0, firstFrame: false };
    Object.assign(window, { __veilProbe: probe });
    document.addEventListener('veil-token-renewed', () => (probe.renewals += 1));
    // Media events are re-dispatched on <veil-player> without bubbling: listen in the capture phase.
    document.addEventListener('playing', () => (probe.firstFrame = true), true);
    document.addEventListener('waiting', () => probe.firstFrame && (probe.waitingAfterFirstFrame += 1), true);
  });
  return page;
}

/** What the probe counted so far, with the player's position and state. */
export const probe = (page: Page) =>
  page.evaluate(() => {
    const player = document.querySelector('veil-player')!;
    const { renewals, waitingAfterFirstFrame } = (window as unknown as { __veilProbe: { renewals: number; waitingAfterFirstFrame: number } }).__veilProbe;
    return { renewals, waitingAfterFirstFrame, currentTime: player.currentTime, state: player.getAttribute('state') };
  });
