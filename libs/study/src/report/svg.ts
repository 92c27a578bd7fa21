// Minimal SVG writing: escaped text and attributes, scales and tick choice, the chart frame. Plain
// strings, no dependency; every figure is a standalone SVG 1.1 document (xmlns, viewBox) that browsers,
// GitHub's Markdown preview and XML parsers read.

export const WIDTH = 640;
export const HEIGHT = 400;
/** Plot area; the right margin holds the legend. */
export const PLOT = { left: 64, top: 48, right: 460, bottom: 330 } as const;

export const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

/** Text safe inside XML content and double-quoted attributes; drops characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A coordinate with at most two decimals, so files stay small and diffs stable. */
export function num(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** A maps data values to pixels. */
export type Scale = (value: number) => number;

/** Linear map of [d0, d1] onto [r0, r1]. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Log map of [d0, d1] (both > 0) onto [r0, r1]: label budgets grow geometrically (50, 100, 200, 500). */
export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const inner = linearScale(Math.log(d0), Math.log(d1), r0, r1);
  return (v) => inner(Math.log(v));
}

/** The x domain for budgets: padded by a factor on each side in log space, so end points are not on the frame. */
export function budgetDomain(examples: readonly number[]): [number, number] {
  const low = Math.min(...examples);
  const high = Math.max(...examples);
  const pad = low === high ? 2 : Math.max(1.15, (high / low) ** 0.06);
  return [low / pad, high * pad];
}

/** Round tick values (1, 2 or 5 × 10^k apart) covering [low, high], about `target` of them. */
export function niceTicks(low: number, high: number, target = 6): number[] {
  if (low === high) {
    low -= 1;
    high += 1;
  }
  const raw = (high - low) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let t = Math.floor(low / step) * step; t <= high + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  if (ticks[ticks.length - 1]! < high) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

/** Ticks for data `values`, padded by 5% of their span so no point sits on the frame. */
export function paddedTicks(values: readonly number[]): number[] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const pad = 0.05 * (high - low);
  return niceTicks(low - pad, high + pad, 6);
}

/** The document wrapper: xmlns, viewBox, a white background, <title> and <desc> for screen readers. */
export function svgDocument(title: string, description: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" ${FONT}>`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(description)}</desc>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export interface XTick {
  readonly value: number;
  /** First line (the budget), second line (e.g. the example count of 'all'). */
  readonly label: string;
  readonly sublabel?: string;
}

/** Axes, grid lines, tick labels and axis titles around PLOT. */
export function axes(
  x: Scale,
  y: Scale,
  xTicks: readonly XTick[],
  yTicks: readonly number[],
  xTitle: string,
  yTitle: string,
): string[] {
  const out: string[] = ['<g class="axes" font-size="12" fill="#333333">'];
  for (const t of yTicks) {
    const py = num(y(t));
    out.push(`<line x1="${PLOT.left}" y1="${py}" x2="${PLOT.right}" y2="${py}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${PLOT.left - 8}" y="${py}" dy="4" text-anchor="end">${escapeXml(String(t))}</text>`);
  }
  for (const t of xTicks) {
    const px = num(x(t.value));
    out.push(`<line x1="${px}" y1="${PLOT.top}" x2="${px}" y2="${PLOT.bottom}" stroke="#f0f0f0"/>`);
    out.push(`<line x1="${px}" y1="${PLOT.bottom}" x2="${px}" y2="${PLOT.bottom + 5}" stroke="#333333"/>`);
    out.push(`<text x="${px}" y="${PLOT.bottom + 19}" text-anchor="middle">${escapeXml(t.label)}</text>`);
    if (t.sublabel) {
      out.push(
        `<text x="${px}" y="${PLOT.bottom + 33}" text-anchor="middle" font-size="10">${escapeXml(t.sublabel)}</text>`,
      );
    }
  }
  out.push(
    `<rect x="${PLOT.left}" y="${PLOT.top}" width="${PLOT.right - PLOT.left}" height="${PLOT.bottom - PLOT.top}" fill="none" stroke="#333333"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 16}" text-anchor="middle" font-size="13">${escapeXml(xTitle)}</text>`,
    `<text transform="translate(18 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(yTitle)}</text>`,
    '</g>',
  );
  return out;
}

export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly dash?: string;
  /** A shaded swatch behind the line, for series drawn with a band. */
  readonly band?: boolean;
  /** Draw a point with an error bar instead of a line, for series drawn that way. */
  readonly errorBar?: boolean;
}

/** The legend, stacked in the right margin. */
export function legend(entries: readonly LegendEntry[], title?: string): string[] {
  const x = PLOT.right + 18;
  let y = PLOT.top + 6;
  const out: string[] = ['<g class="legend" font-size="12" fill="#333333">'];
  if (title) {
    out.push(`<text x="${x}" y="${y + 4}" font-weight="600">${escapeXml(title)}</text>`);
    y += 20;
  }
  for (const e of entries) {
    if (e.band)
      out.push(`<rect x="${x}" y="${y - 6}" width="26" height="12" fill="${e.color}" fill-opacity="0.18"/>`);
    const dash = e.dash ? ` stroke-dasharray="${e.dash}"` : '';
    if (e.errorBar) {
      out.push(
        `<line x1="${x + 13}" y1="${y - 8}" x2="${x + 13}" y2="${y + 8}" stroke="${e.color}" stroke-width="2"/>`,
      );
    } else {
      out.push(
        `<line x1="${x}" y1="${y}" x2="${x + 26}" y2="${y}" stroke="${e.color}" stroke-width="2"${dash}/>`,
      );
    }
    out.push(`<circle cx="${x + 13}" cy="${y}" r="3.5" fill="${e.color}"/>`);
    out.push(`<text x="${x + 34}" y="${y}" dy="4">${escapeXml(e.label)}</text>`);
    y += 22;
  }
  out.push('</g>');
  return out;
}
