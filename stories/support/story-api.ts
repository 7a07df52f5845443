/**
 * A stand-in for the Veil token service, for stories: while installed, `fetch` calls to the story
 * API origin are answered in the page (nothing goes on the network); every other request passes
 * through untouched. Install it in a story's `beforeEach`, which restores `fetch` afterwards.
 */
import type { PlaybackSession, PlaybackSessionRequest, WatermarkPolicy } from '../../src/protocol/playback.js';

/** The `api` of the story sessions. `.invalid` never resolves, so a leak fails instead of reaching anyone. */
export const STORY_API = 'https://veil-api.story.invalid';

/** What the stand-in service does with `POST /api/playback-sessions`. */
export type StoryApiBehaviour = 'grant' | 'network-error';

/** The watermark policy of the stand-in service (tests shorten the interval). */
export const STORY_WATERMARK: WatermarkPolicy = { required: true, text: 'viewer@acme.test', intervalSeconds: 30, minOpacity: 0.3 };

export function storyPlaybackSession(videoId: string, watermark: Partial<WatermarkPolicy> = {}): PlaybackSession {
  return {
    token: 'story.playback.token',
    expiresAt: Date.now() + 5 * 60_000,
    sessionId: `story-${crypto.randomUUID()}`,
    videoId,
    // The story engines never fetch these; they are here because the contract has them.
    manifestUrl: 'https://media.story.invalid/media/story/manifest.mpd',
    protocol: 'dash',
    drm: {},
    watermark: { ...STORY_WATERMARK, ...watermark },
    audit: { url: `${STORY_API}/api/audit` },
  };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Replaces `fetch` for the story API origin; returns the function that restores the original. */
export function installStoryApi(behaviour: StoryApiBehaviour, watermark?: Partial<WatermarkPolicy>): () => void {
  const original = globalThis.fetch;
  const stub: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    // Everything else goes out untouched (a Request is passed on as it came, its body unread).
    if (url.origin !== new URL(STORY_API).origin) return original(input, init);
    // The same failure a real unreachable service gives.
    if (behaviour === 'network-error') throw new TypeError('Failed to fetch');
    const request = new Request(input, init);
    const path = url.pathname;
    if (request.method === 'POST' && path === '/api/playback-sessions') {
      const { videoId } = (await request.json()) as PlaybackSessionRequest;
      return json(storyPlaybackSession(videoId, watermark), 201);
    }
    if (request.method === 'POST' && path === '/api/audit') return new Response(null, { status: 204 });
    return json({ error: { code: 'VIDEO_NOT_FOUND', message: 'Not found.' } }, 404);
  };
  globalThis.fetch = stub;
  return () => {
    if (globalThis.fetch === stub) globalThis.fetch = original;
  };
}
