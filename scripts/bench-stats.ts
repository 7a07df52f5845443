/**
 * Figures of the benchmark: each a median with min and max over its runs, or "not built" for a
 * part whose feature has not arrived yet. Keys name the figures (`ttff.dash.veil_ms`, …).
 */

export interface Figure {
  median: number;
  min: number;
  max: number;
  /** How many runs the figure summarises. */
  n: number;
}

export const NOT_BUILT = 'not built';
export type FigureValue = Figure | typeof NOT_BUILT;
export type Figures = Record<string, FigureValue>;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function figure(values: readonly number[], digits = 1): Figure {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) throw new Error(`no finite values among ${JSON.stringify(values)}`);
  const round = (value: number) => Number(value.toFixed(digits));
  return { median: round(median(finite)), min: round(Math.min(...finite)), max: round(Math.max(...finite)), n: finite.length };
}

/** Per-pair ratios Veil / baseline (pairs are the interleaved runs), summarised like any figure. */
export function ratioFigure(veil: readonly number[], baseline: readonly number[]): Figure {
  if (veil.length !== baseline.length) throw new Error('ratio: unpaired runs');
  return figure(
    veil.map((value, i) => value / baseline[i]!),
    2,
  );
}

function cell(value: FigureValue | undefined, unit = '', fixed?: number): string {
  if (value === undefined) return '—';
  if (value === NOT_BUILT) return NOT_BUILT;
  const fmt = (n: number) => n.toLocaleString('en-US', fixed === undefined ? { maximumFractionDigits: 2 } : { minimumFractionDigits: fixed, maximumFractionDigits: fixed });
  if (value.n === 1 || value.min === value.max) return `${fmt(value.median)}${unit}`;
  return `${fmt(value.median)} (${fmt(value.min)}–${fmt(value.max)})${unit}`;
}

export interface Row {
  label: string;
  veil: string;
  baseline?: string;
  ratio?: string;
  unit?: string;
  /** Unit of the baseline column when it differs (e.g. the token service's raw signing rate). */
  baselineUnit?: string;
  /** What the figure should reach (issue 16's goals: `≤ 1.10`, `≤ 50 ms`, …). */
  goal?: string;
}

/** The markdown table: one row per figure, Veil beside its baseline, the ratio and the goal. */
export function markdownTable(figures: Figures, rows: readonly Row[]): string {
  const lines = ['| figure | Veil | baseline | Veil / baseline | goal |', '|---|---|---|---|---|'];
  for (const row of rows) {
    const unit = row.unit ? ` ${row.unit}` : '';
    const baselineUnit = row.baselineUnit !== undefined ? ` ${row.baselineUnit}` : unit;
    lines.push(
      `| ${row.label} | ${cell(figures[row.veil], unit)} | ${row.baseline ? cell(figures[row.baseline], baselineUnit) : '—'} | ${row.ratio ? cell(figures[row.ratio], '', 2) : '—'} | ${row.goal ?? ''} |`,
    );
  }
  return lines.join('\n');
}

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** README.md with the text between its bench markers replaced (the published full run). */
export function withBenchTable(readme: string, table: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${README_START} … ${README_END} block`);
  return `${readme.slice(0, start + README_START.length)}\n${table}\n${readme.slice(end)}`;
}
