/**
 * The control bar's template: play/pause, seek, time, mute, volume, captions (toggle and
 * language menu), quality and speed menus, fullscreen. Stateless: the player passes what the
 * media element and the engine report, and the actions to call.
 */
import { html, nothing } from 'lit';
import { AUTO_QUALITY, type EngineQualities, type EngineQuality, type EngineTextTrack, type EngineTextTracks } from '../../playback/engines/types.js';
import { formatTime } from './format-time.js';
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

export interface ControlsView {
  hidden: boolean;
  paused: boolean;
  currentTime: number;
  duration: number;
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

export function renderControls(view: ControlsView, actions: ControlsActions, strings: StringsController, menus: MenuController) {
  const t = strings.t.bind(strings);
  const duration = Number.isFinite(view.duration) ? view.duration : 0;
  const captions = view.captions?.options.length ? view.captions : undefined;
  const qualities = view.qualities && view.qualities.options.length > 1 ? view.qualities : undefined;
  const volumePercent = Math.round(view.volume * 100);
  return html`
    <div part="controls" class="controls" ?hidden=${view.hidden}>
      <button type="button" class="play" aria-label=${view.paused ? t('play') : t('pause')} @click=${actions.togglePlay}>
        ${view.paused ? t('play') : t('pause')}
      </button>
      <input
        class="seek"
        type="range"
        aria-label=${t('seek')}
        aria-valuetext=${t('seekValue', { current: formatTime(view.currentTime), duration: formatTime(view.duration) })}
        min="0"
        max=${duration}
        step="1"
        .value=${String(view.currentTime)}
        @input=${(event: Event) => actions.seekTo(Number((event.target as HTMLInputElement).value))}
      />
      <span class="time">${formatTime(view.currentTime)} / ${formatTime(view.duration)}</span>
      <button type="button" class="mute" aria-label=${t('mute')} aria-pressed=${view.muted ? 'true' : 'false'} @click=${actions.toggleMute}>
        ${t('mute')}
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
      ${captions
        ? html`<button
              type="button"
              class="captions"
              aria-label=${t('captions')}
              aria-pressed=${captions.selected !== null ? 'true' : 'false'}
              @click=${actions.toggleCaptions}
            >${t('captions')}</button>
            ${captions.options.length > 1
              ? menus.render({
                  id: 'captions',
                  label: t('captionsMenu'),
                  current: captionsCurrent(strings, captions),
                  items: [
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
            items: [
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
        items: PLAYBACK_RATES.map((rate) => ({ value: String(rate), label: rateLabel(strings, rate) })),
        selected: String(view.rate),
        onSelect: (value) => actions.setRate(Number(value)),
      })}
      <button
        type="button"
        class="fullscreen"
        aria-label=${t('fullscreen')}
        aria-pressed=${view.fullscreen ? 'true' : 'false'}
        @click=${actions.toggleFullscreen}
      >${t('fullscreen')}</button>
    </div>
  `;
}

function captionsCurrent(strings: StringsController, captions: EngineTextTracks): string {
  const index = captions.options.findIndex((track) => track.id === captions.selected);
  return index < 0 ? strings.t('captionsOff') : captionLabel(strings, captions.options[index]!, index);
}
