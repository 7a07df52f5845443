/**
 * The control bar's template: play/pause, seek, time, mute, volume, captions (toggle and
 * language menu), quality and speed menus, fullscreen; icon buttons, each with its accessible
 * name as `aria-label` and the same text as a tooltip (`.tip`, shown on hover and focus).
 * Stateless: the player passes what the media element and the engine report, and the actions.
 */
import { html, nothing } from 'lit';
import { AUTO_QUALITY, type EngineQualities, type EngineQuality, type EngineTextTrack, type EngineTextTracks } from '../../playback/engines/types.js';
import { formatTime } from './format-time.js';
import { icons } from './icons.js';
import type { SeekBar, SeekView } from './seek-bar.js';
import type { MenuController } from './menu.js';
import type { StringsController } from '../../i18n/strings-controller.js';

export const PLAYBACK_RATES = [0.5, 0.75, 1, 1.25, 1.5, 2] as const;

export interface ControlsActions {
  togglePlay(): void;
  seekTo(seconds: number): void;
  setVolume(volume: number): void;
  toggleMute(): void;
  toggleFullscreen(): void;
  toggleCaptions(): void;
  setCaptions(id: string | null): void;
  setQuality(id: string): void;
  setRate(rate: number): void;
}

export interface ControlsView extends SeekView {
  /** Not rendered at all (no stream loaded). */
  hidden: boolean;
  /** Faded out while the viewer is idle during playback (still focusable; see ActivityController). */
  autoHidden: boolean;
  paused: boolean;
  muted: boolean;
  volume: number;
  rate: number;
  fullscreen: boolean;
  qualities?: EngineQualities;
  captions?: EngineTextTracks;
}

/** Labels shared by the menus and the announcements. */
export function qualityLabel(strings: StringsController, quality: EngineQuality | undefined): string {
  if (!quality) return '';
  return quality.height > 0
    ? strings.t('qualityHeight', { height: quality.height })
    : strings.t('qualityBitrate', { kbps: Math.round(quality.bitrate / 1000) });
}

export function currentQualityLabel(strings: StringsController, qualities: EngineQualities): string {
  const find = (id: string | undefined) => qualities.options.find((option) => option.id === id);
  if (qualities.selected !== AUTO_QUALITY) return qualityLabel(strings, find(qualities.selected));
  const active = find(qualities.active);
  return active ? strings.t('qualityAutoActive', { quality: qualityLabel(strings, active) }) : strings.t('qualityAuto');
}

export function captionLabel(strings: StringsController, track: EngineTextTrack, index: number): string {
  return track.label || track.language || strings.t('captionsUnnamed', { number: index + 1 });
}

export function rateLabel(strings: StringsController, rate: number): string {
  return rate === 1 ? strings.t('speedNormal') : strings.t('speedValue', { rate: strings.number(rate) });
}

export function renderControls(view: ControlsView, actions: ControlsActions, strings: StringsController, menus: MenuController, seekBar: SeekBar) {
  const t = strings.t.bind(strings);
  const captions = view.captions?.options.length ? view.captions : undefined;
  const qualities = view.qualities && view.qualities.options.length > 1 ? view.qualities : undefined;
  const volumePercent = Math.round(view.volume * 100);
  const playLabel = view.paused ? t('play') : t('pause');
  return html`
    <div part="controls" class="controls ${view.autoHidden ? 'auto-hidden' : ''}" ?hidden=${view.hidden}>
      <button type="button" class="play" aria-label=${playLabel} @click=${actions.togglePlay}>
        ${view.paused ? icons.play : icons.pause}<span class="tip">${playLabel}</span>
      </button>
      ${seekBar.render(view, strings, actions.seekTo)}
      <span class="time">${formatTime(view.currentTime)} / ${formatTime(view.duration)}</span>
      <div class="volume-group">
        <button type="button" class="mute" aria-label=${t('mute')} aria-pressed=${view.muted ? 'true' : 'false'} @click=${actions.toggleMute}>
          ${view.muted || view.volume === 0 ? icons.muted : icons.volume}<span class="tip">${t('mute')}</span>
        </button>
        <input
          class="volume"
          type="range"
          aria-label=${t('volume')}
          aria-valuetext=${t('volumeValue', { percent: volumePercent })}
          min="0"
          max="1"
          step="0.05"
          .value=${String(view.volume)}
          @input=${(event: Event) => actions.setVolume(Number((event.target as HTMLInputElement).value))}
        />
      </div>
      ${captions
        ? html`<button
              type="button"
              class="captions"
              aria-label=${t('captions')}
              aria-pressed=${captions.selected !== null ? 'true' : 'false'}
              @click=${actions.toggleCaptions}
            >${icons.captions}<span class="tip">${t('captions')}</span></button>
            ${captions.options.length > 1
              ? menus.render({
                  id: 'captions',
                  label: t('captionsMenu'),
                  current: captionsCurrent(strings, captions),
                  icon: icons.language,
                  items: () => [
                    { value: '', label: t('captionsOff') },
                    ...captions.options.map((track, i) => ({ value: track.id, label: captionLabel(strings, track, i) })),
                  ],
                  selected: captions.selected ?? '',
                  onSelect: (value) => actions.setCaptions(value === '' ? null : value),
                })
              : nothing}`
        : nothing}
      ${qualities
        ? menus.render({
            id: 'quality',
            label: t('quality'),
            current: currentQualityLabel(strings, qualities),
            icon: icons.quality,
            items: () => [
              { value: AUTO_QUALITY, label: t('qualityAuto') },
              ...qualities.options.map((quality) => ({ value: quality.id, label: qualityLabel(strings, quality) })),
            ],
            selected: qualities.selected,
            onSelect: actions.setQuality,
          })
        : nothing}
      ${menus.render({
        id: 'speed',
        label: t('speed'),
        current: rateLabel(strings, view.rate),
        icon: icons.speed,
        items: () => PLAYBACK_RATES.map((rate) => ({ value: String(rate), label: rateLabel(strings, rate) })),
        selected: String(view.rate),
        onSelect: (value) => actions.setRate(Number(value)),
      })}
      <button
        type="button"
        class="fullscreen"
        aria-label=${t('fullscreen')}
        aria-pressed=${view.fullscreen ? 'true' : 'false'}
        @click=${actions.toggleFullscreen}
      >${view.fullscreen ? icons.exitFullscreen : icons.fullscreen}<span class="tip">${t('fullscreen')}</span></button>
    </div>
  `;
}

function captionsCurrent(strings: StringsController, captions: EngineTextTracks): string {
  const index = captions.options.findIndex((track) => track.id === captions.selected);
  return index < 0 ? strings.t('captionsOff') : captionLabel(strings, captions.options[index]!, index);
}
