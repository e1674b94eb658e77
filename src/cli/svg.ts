// A hand-written SVG line chart of a test metric against the width d (log₂ axis), one line per method, with the
// wide network's metric as a dashed reference and its −0.01 band (the compression issue's aim). Deterministic.

export interface WidthSeries {
  label: string;
  color: string;
  /** One value per width (null: not measured). */
  values: (number | null)[];
  dashed?: boolean;
}

export interface WidthChart {
  title: string;
  /** Axis label, e.g. 'test ROC AUC'. */
  metric: string;
  widths: number[];
  series: WidthSeries[];
  /** The reference network's metric and its label (e.g. 'D = 64 (trained)'). */
  reference?: { label: string; value: number };
  /** Shade [reference − band, reference] (default 0.01). */
  band?: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The chart as one SVG document (about 640×400). */
export function metricVsWidthSvg(c: WidthChart): string {
  const W = 640, H = 400, left = 64, right = 170, top = 40, bottom = 50;
  const pw = W - left - right, ph = H - top - bottom;
  const vals = c.series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (c.reference) vals.push(c.reference.value, c.reference.value - (c.band ?? 0.01));
  let lo = Math.min(...vals), hi = Math.max(...vals);
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  const pad = Math.max(0.005, 0.06 * (hi - lo));
  lo = Math.floor((lo - pad) * 100) / 100; hi = Math.ceil((hi + pad) * 100) / 100;
  const lw = c.widths.map((w) => Math.log2(w));
  const x0 = Math.min(...lw), x1 = Math.max(...lw);
  const x = (w: number): number => left + (x1 === x0 ? pw / 2 : ((Math.log2(w) - x0) / (x1 - x0)) * pw);
  const y = (v: number): number => top + ph * (1 - (v - lo) / (hi - lo));
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push('<rect width="100%" height="100%" fill="white"/>');
  out.push(`<text x="${left + pw / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(c.title)}</text>`);
  const ticks = 5;
  for (let t = 0; t <= ticks; t++) {
    const v = lo + ((hi - lo) * t) / ticks;
    out.push(`<line x1="${left}" y1="${y(v).toFixed(1)}" x2="${left + pw}" y2="${y(v).toFixed(1)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(3)}</text>`);
  }
  for (const w of c.widths) {
    out.push(`<line x1="${x(w).toFixed(1)}" y1="${top}" x2="${x(w).toFixed(1)}" y2="${top + ph}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x(w).toFixed(1)}" y="${top + ph + 18}" text-anchor="middle">${w}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
  out.push(`<text x="${left + pw / 2}" y="${H - 12}" text-anchor="middle">width d (log scale)</text>`);
  out.push(`<text transform="translate(16,${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.metric)}</text>`);
  let legendY = top + 8;
  const legend = (color: string, label: string, dashed: boolean, marker: boolean): void => {
    const lx = left + pw + 14;
    out.push(`<line x1="${lx}" y1="${legendY}" x2="${lx + 22}" y2="${legendY}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    if (marker) out.push(`<circle cx="${lx + 11}" cy="${legendY}" r="3.5" fill="${color}"/>`);
    out.push(`<text x="${lx + 28}" y="${legendY + 4}" font-size="11">${esc(label)}</text>`);
    legendY += 20;
  };
  if (c.reference) {
    const band = c.band ?? 0.01, r = c.reference.value;
    out.push(`<rect x="${left}" y="${y(r).toFixed(1)}" width="${pw}" height="${(y(r - band) - y(r)).toFixed(1)}" fill="#999" fill-opacity="0.15"/>`);
    out.push(`<line x1="${left}" y1="${y(r).toFixed(1)}" x2="${left + pw}" y2="${y(r).toFixed(1)}" stroke="black" stroke-dasharray="6 4"/>`);
    legend('black', c.reference.label, true, false);
    legend('#bbb', `within ${band} of it`, false, false);
  }
  for (const s of c.series) {
    const pts = c.widths.map((w, i) => [w, s.values[i]] as const).filter((p): p is readonly [number, number] => p[1] !== null && Number.isFinite(p[1]));
    if (pts.length > 1) {
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${pts.map(([w, v]) => `${x(w).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`);
    }
    for (const [w, v] of pts) out.push(`<circle cx="${x(w).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3.5" fill="${s.color}"><title>${esc(s.label)} d = ${w}: ${v.toFixed(4)}</title></circle>`);
    legend(s.color, s.label, s.dashed ?? false, true);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
