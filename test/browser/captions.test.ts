/**
 * The caption building blocks: the WebVTT reader, HLS subtitle loading (token-carrying fetch,
 * X-TIMESTAMP-MAP offsets) and the native text tracks captions are drawn on.
 */
import { expect } from '@open-wc/testing';
import { loadHlsSubtitles, segmentUrls } from '../../src/playback/captions/hls-subtitles.js';
import { NativeCaptions } from '../../src/playback/captions/native-captions.js';
import { parseWebVtt, vttTime, type ParsedCue } from '../../src/playback/captions/webvtt.js';
import { tokenFetchText } from '../../src/playback/engines/hls-tracks.js';
import { storyPlaybackSession } from '../../stories/support/story-api.js';

describe('WebVTT reader', () => {
  it('reads timestamps with and without hours', () => {
    expect(vttTime('00:01:02.500')).to.equal(62.5);
    expect(vttTime('01:02.250')).to.equal(62.25);
    expect(vttTime('1:00:00.000')).to.equal(3600);
    expect(vttTime('1:2.5')).to.be.NaN;
  });

  it('reads cues (ids, settings, multi-line text), skips NOTE/STYLE blocks, and the HLS timestamp map', () => {
    const vtt = [
      '\uFEFFWEBVTT - sample',
      'X-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000',
      '',
      'NOTE a comment',
      '',
      'STYLE',
      '::cue { color: red }',
      '',
      '1',
      '00:00:00.000 --> 00:00:04.000 line:90% align:center',
      'Caption 1 — 0:00 to 0:04',
      '',
      '00:04.000 --> 00:06.000',
      'two',
      'lines',
      '',
      '00:07.000 --> 00:06.000',
      'ends before it starts: dropped',
      '',
    ].join('\r\n');
    const parsed = parseWebVtt(vtt);
    expect(parsed.timestampMap).to.deep.equal({ mpegts: 126000, local: 0 });
    expect(parsed.cues).to.deep.equal([
      { start: 0, end: 4, text: 'Caption 1 — 0:00 to 0:04' },
      { start: 4, end: 6, text: 'two\nlines' },
    ]);
  });

  it('refuses what is not WebVTT', () => {
    expect(() => parseWebVtt('<html>')).to.throw(SyntaxError);
  });
});

describe('HLS subtitles', () => {
  const PLAYLIST = '#EXTM3U\n#EXT-X-TARGETDURATION:60\n#EXTINF:60.0,\ncaptions-en.vtt\n#EXT-X-ENDLIST\n';
  const VTT = 'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:130080,LOCAL:00:00:00.000\n\n00:00:00.000 --> 00:00:04.000\nCaption 1\n';

  it('resolves segment URIs against the playlist', () => {
    expect(segmentUrls(PLAYLIST, 'https://media.test/media/v/captions-en.m3u8')).to.deep.equal(['https://media.test/media/v/captions-en.vtt']);
  });

  async function load(initPts: number | undefined) {
    const fetched: string[] = [];
    const added: { cues: ParsedCue[]; offset: number }[] = [];
    await loadHlsSubtitles(
      'https://media.test/media/v/captions-en.m3u8',
      async (url) => {
        fetched.push(url);
        return url.endsWith('.m3u8') ? PLAYLIST : VTT;
      },
      () => initPts,
      (cues, offset) => added.push({ cues, offset }),
    );
    return { fetched, added };
  }

  it('maps cue times onto the media timeline through X-TIMESTAMP-MAP and the stream start', async () => {
    // The stream starts at 126000 / 90 kHz = 1.4 s; cue 0 is at MPEG-TS 130080 = 1.445333 s.
    const { fetched, added } = await load(1.4);
    expect(fetched).to.deep.equal(['https://media.test/media/v/captions-en.m3u8', 'https://media.test/media/v/captions-en.vtt']);
    expect(added).to.have.length(1);
    expect(added[0]!.offset).to.be.closeTo(0.045333, 1e-6);
    expect(added[0]!.cues[0]!.text).to.equal('Caption 1');
  });

  it('before the stream start is known, the mapped timestamp counts as media time 0', async () => {
    const { added } = await load(undefined);
    expect(added[0]!.offset).to.equal(0);
  });

  it('fetches with the playback token, only on the manifest origin, renewing once on 401', async () => {
    const session = storyPlaybackSession('v1');
    const original = window.fetch;
    const seen: [string, string | null][] = [];
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const authorization = new Headers(init?.headers).get('authorization');
      seen.push([String(input), authorization]);
      return authorization === 'Bearer expired' ? new Response('', { status: 401 }) : new Response('WEBVTT\n');
    };
    let current = 'the-token';
    try {
      const fetchText = tokenFetchText({ session, token: async () => current, renewToken: async () => (current = 'renewed') });
      await fetchText('https://media.story.invalid/media/story/captions-en.vtt');
      await fetchText('https://cdn.elsewhere.invalid/captions-en.vtt');
      current = 'expired';
      expect(await fetchText('https://media.story.invalid/media/story/captions-fr.vtt')).to.equal('WEBVTT\n');
    } finally {
      window.fetch = original;
    }
    expect(seen).to.deep.equal([
      ['https://media.story.invalid/media/story/captions-en.vtt', 'Bearer the-token'],
      ['https://cdn.elsewhere.invalid/captions-en.vtt', null],
      ['https://media.story.invalid/media/story/captions-fr.vtt', 'Bearer expired'],
      ['https://media.story.invalid/media/story/captions-fr.vtt', 'Bearer renewed'],
    ]);
  });
});

describe('NativeCaptions', () => {
  it('one native subtitles track per caption track; one shown at a time; cues not doubled; tracks reused by the next stream', () => {
    const media = document.createElement('video');
    let changes = 0;
    const captions = new NativeCaptions(media, () => changes++);
    captions.setTracks([
      { id: 'a', language: 'en', label: 'English' },
      { id: 'b', language: 'fr', label: '' },
    ]);
    expect(Array.from(media.textTracks, (track) => [track.kind, track.label, track.language, track.mode])).to.deep.equal([
      ['subtitles', 'English', 'en', 'disabled'],
      ['subtitles', 'fr', 'fr', 'disabled'],
    ]);
    const cue = { start: 1, end: 2, text: 'hello' };
    captions.addCues('a', [cue, cue], 0.5);
    captions.addCues('a', [cue], 0.5);
    const english = captions.nativeTrack('a')!;
    captions.select('a');
    expect(english.mode).to.equal('showing');
    expect(english.cues!.length).to.equal(1);
    expect(english.cues![0]!.startTime).to.equal(1.5);
    captions.select('b');
    expect(english.mode).to.equal('disabled');
    expect(captions.nativeTrack('b')!.mode).to.equal('showing');
    expect(captions.state()).to.deep.equal({
      options: [
        { id: 'a', language: 'en', label: 'English' },
        { id: 'b', language: 'fr', label: '' },
      ],
      selected: 'b',
    });
    captions.removeCues(0, 10);
    english.mode = 'hidden';
    expect(english.cues!.length).to.equal(0, 'removed from a disabled track too');
    english.mode = 'disabled';
    captions.addCues('a', [cue]);
    expect(changes).to.be.greaterThan(0);

    captions.destroy();
    const next = new NativeCaptions(media);
    next.setTracks([{ id: 'x', language: 'en', label: 'English' }]);
    expect(media.textTracks.length).to.equal(2, 'the English track was reused');
    expect(next.nativeTrack('x')).to.equal(english);
    next.select('x');
    expect(english.cues!.length).to.equal(0, 'emptied on release');
  });
});
