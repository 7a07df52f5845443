/**
 * A small WebVTT reader: cue timings and text, and the HLS `X-TIMESTAMP-MAP` header. Cue
 * settings, regions and styles are ignored (the browser renders cues with its defaults).
 */

export interface ParsedCue {
  start: number;
  end: number;
  text: string;
}

export interface ParsedVtt {
  cues: ParsedCue[];
  /** From `X-TIMESTAMP-MAP=MPEGTS:<90 kHz>,LOCAL:<time>`, when present. */
  timestampMap?: { mpegts: number; local: number };
}

const TIMESTAMP = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/;

/** Seconds from a WebVTT timestamp (`hh:mm:ss.ttt` or `mm:ss.ttt`); NaN when malformed. */
export function vttTime(value: string): number {
  const match = TIMESTAMP.exec(value.trim());
  if (!match) return Number.NaN;
  const [, h = '0', m, s, ms] = match;
  return Number(h) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
}

export function parseWebVtt(text: string): ParsedVtt {
  const blocks = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n{2,}/);
  const header = blocks.shift() ?? '';
  if (!/^WEBVTT(?:[ \t\n]|$)/.test(header)) throw new SyntaxError('not a WebVTT file');
  const result: ParsedVtt = { cues: [] };
  const map = /^X-TIMESTAMP-MAP=(.*)$/m.exec(header)?.[1];
  if (map) {
    const mpegts = Number(/MPEGTS:(\d+)/.exec(map)?.[1]);
    const local = vttTime(/LOCAL:([\d:.]+)/.exec(map)?.[1] ?? '');
    if (Number.isFinite(mpegts) && Number.isFinite(local)) result.timestampMap = { mpegts, local };
  }
  for (const block of blocks) {
    const lines = block.split('\n');
    const timingAt = lines.findIndex((line) => line.includes('-->'));
    if (timingAt < 0 || timingAt > 1) continue; // NOTE, STYLE, REGION or junk
    const [from = '', rest = ''] = lines[timingAt]!.split('-->');
    const start = vttTime(from);
    const end = vttTime(rest.trim().split(/[ \t]/)[0] ?? '');
    const cueText = lines.slice(timingAt + 1).join('\n').trimEnd();
    if (Number.isFinite(start) && Number.isFinite(end) && end > start && cueText) result.cues.push({ start, end, text: cueText });
  }
  return result;
}
