/**
 * Reading a built Storybook's preview from a page: its addons channel keeps the last payload of
 * each event, so whether a story's play function passed (`storyFinished`, or a failure event on
 * the way) and whether a docs page rendered can be read at any time after the fact.
 */
import type { Page } from 'puppeteer-core';

export interface StoryOutcome {
  status: 'success' | 'error' | 'pending';
  why?: string;
}

type Channel = { last(event: string): unknown[] | undefined };

/** Where story `id` is: still rendering/playing, finished with its play function passing, or failed (and why). */
export function storyOutcome(page: Page, id: string): Promise<StoryOutcome> {
  return page.evaluate((storyId: string) => {
    const channel = (globalThis as unknown as { __STORYBOOK_ADDONS_CHANNEL__?: Channel }).__STORYBOOK_ADDONS_CHANNEL__;
    if (!channel) return { status: 'pending' as const };
    for (const event of ['storyMissing', 'storyErrored', 'storyThrewException', 'playFunctionThrewException', 'unhandledErrorsWhilePlaying']) {
      const args = channel.last(event);
      if (args) return { status: 'error' as const, why: `${event}: ${JSON.stringify(args).slice(0, 600)}` };
    }
    const finished = channel.last('storyFinished')?.[0] as { storyId: string; status: 'success' | 'error'; reporters: unknown[] } | undefined;
    if (!finished || finished.storyId !== storyId) return { status: 'pending' as const };
    return finished.status === 'success' ? { status: 'success' as const } : { status: 'error' as const, why: `storyFinished: ${JSON.stringify(finished.reporters).slice(0, 600)}` };
  }, id);
}

/** Polls until story `id` has finished or failed, for at most `timeoutMs`; a story still pending then is reported as such. */
export async function storyFinished(page: Page, id: string, timeoutMs = 30_000): Promise<StoryOutcome> {
  const deadline = Date.now() + timeoutMs;
  let outcome = await storyOutcome(page, id);
  while (outcome.status === 'pending' && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    outcome = await storyOutcome(page, id);
  }
  return outcome.status === 'pending' ? { status: 'pending', why: `not finished within ${timeoutMs / 1000} s` } : outcome;
}

/** Waits until the docs page `id` has rendered. */
export async function docsRendered(page: Page, id: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    (docsId: string) => (globalThis as unknown as { __STORYBOOK_ADDONS_CHANNEL__?: Channel }).__STORYBOOK_ADDONS_CHANNEL__?.last('docsRendered')?.[0] === docsId,
    { timeout: timeoutMs, polling: 100 },
    id,
  );
}

/** An entry of the built Storybook's `index.json`. */
export interface IndexEntry {
  id: string;
  title: string;
  name: string;
  type: 'story' | 'docs';
  tags?: string[];
}

/** The element an entry documents: stories are titled `Elements/<tag>`. */
export const tagOf = (entry: IndexEntry): string => entry.title.split('/').at(-1)!;
