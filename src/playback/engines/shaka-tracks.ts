/**
 * Quality and caption selection for the shaka-player engine. Captions: shaka parses the stream's
 * WebVTT and hands the cues to a text displayer; ours puts them on native text tracks through
 * `NativeCaptions` (shaka's own NativeTextDisplayer adds `<track src="data:,WEBVTT">`, which the
 * demo's strict `media-src` refuses).
 */
import type shaka from 'shaka-player/dist/shaka-player.dash-es2021.js';
import { NativeCaptions } from '../captions/native-captions.js';
import { AUTO_QUALITY, type Engine } from './types.js';
import { distinctQualities, TrackListeners } from './tracks.js';

type ShakaPlayer = shaka.Player;
type ShakaCue = shaka.text.Cue;

/** The text of a shaka cue: its payload, or its nested cues' (styled WebVTT). */
function cueText(cue: ShakaCue): string {
  if (cue.payload) return cue.payload;
  return cue.nestedCues.map((nested) => (nested.lineBreak ? '\n' : cueText(nested))).join('');
}

export type ShakaTracks = Required<Omit<Engine, 'destroy'>> & { destroy(): void };

/** Call before `player.load()`: it installs the text displayer. */
export function shakaTracks(player: ShakaPlayer, media: HTMLMediaElement): ShakaTracks {
  const listeners = new TrackListeners();
  const captions = new NativeCaptions(media, listeners.notify);
  let selected = AUTO_QUALITY;
  let visible = false;

  const activeText = () => player.getTextTracks().find((track) => track.active);
  const displayer: shaka.extern.TextDisplayer = {
    configure: () => undefined,
    setTextLanguage: () => undefined,
    isTextVisible: () => visible,
    setTextVisibility: (on: boolean) => {
      visible = on;
    },
    append: (cues: ShakaCue[]) => {
      const active = activeText();
      if (active) captions.addCues(String(active.id), cues.map((cue) => ({ start: cue.startTime, end: cue.endTime, text: cueText(cue) })));
    },
    remove: (start: number, end: number) => {
      captions.removeCues(start, end);
      return true;
    },
    destroy: async () => undefined,
  };
  player.configure({ textDisplayFactory: () => displayer });

  const syncTextTracks = () =>
    captions.setTracks(player.getTextTracks().map((track) => ({ id: String(track.id), language: track.language, label: track.label ?? '' })));
  for (const type of ['loaded', 'trackschanged']) player.addEventListener(type, syncTextTracks);
  for (const type of ['variantchanged', 'adaptation', 'abrstatuschanged']) player.addEventListener(type, listeners.notify);

  /** Variants of the active audio, so choosing a height never changes the language. */
  const variants = () => {
    const all = player.getVariantTracks();
    const audio = all.find((track) => track.active)?.audioId;
    return all.filter((track) => track.audioId === audio);
  };

  return {
    qualities: () => {
      const list = variants();
      return {
        options: distinctQualities(list.map((track) => ({ id: String(track.id), height: track.height ?? 0, bitrate: track.bandwidth }))),
        selected,
        active: list.find((track) => track.active)?.id.toString(),
      };
    },
    setQuality: (id) => {
      if (id === AUTO_QUALITY) {
        player.configure({ abr: { enabled: true } });
      } else {
        const track = variants().find((variant) => String(variant.id) === id);
        if (!track) return;
        player.configure({ abr: { enabled: false } });
        player.selectVariantTrack(track, true);
      }
      selected = id;
      listeners.notify();
    },
    textTracks: () => captions.state(),
    setTextTrack: (id) => {
      const track = id === null ? undefined : player.getTextTracks().find((candidate) => String(candidate.id) === id);
      player.selectTextTrack(track ?? null);
      captions.select(track ? id : null);
    },
    onTracksChanged: listeners.add,
    destroy: () => captions.destroy(),
  };
}
