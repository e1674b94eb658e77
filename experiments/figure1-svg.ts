// Figure 1 of Shirzad et al. (2024) as a hand-written SVG: per dataset, the test metric of every narrow
// (d = 4) and wide (D = 64) run as dots, with the paper's Table 4 values as reference ticks.

export interface FigurePanel {
  title: string;
  metric: string;
  wide: number[];
  narrow: number[];
  /** The paper's values for this dataset (absent for a stand-in graph). */
  paper?: { large: number; smallMean: number; smallMax: number; label: string };
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One SVG document with a panel per dataset; deterministic (jitter from the run index). */
export function figure1Svg(panels: FigurePanel[]): string {
  const pw = 300, ph = 300, top = 40, bottom = 50, left = 55;
  const width = pw * panels.length + 20, height = ph + top + bottom;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  panels.forEach((p, k) => {
    const x0 = k * pw + left, w = pw - left - 15;
    const values = [...p.wide, ...p.narrow, ...(p.paper ? [p.paper.large, p.paper.smallMean, p.paper.smallMax] : [])].filter(Number.isFinite);
    let lo = Math.min(...values), hi = Math.max(...values);
    const pad = Math.max(0.01, 0.08 * (hi - lo));
    lo = Math.floor((lo - pad) * 100) / 100; hi = Math.ceil((hi + pad) * 100) / 100;
    const y = (v: number): string => (top + ph * (1 - (v - lo) / (hi - lo))).toFixed(1);
    parts.push(`<text x="${x0 + w / 2}" y="${top - 18}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
    parts.push(`<line x1="${x0}" y1="${top}" x2="${x0}" y2="${top + ph}" stroke="black"/>`);
    const steps = 5;
    for (let s = 0; s <= steps; s++) {
      const v = lo + (hi - lo) * s / steps;
      parts.push(`<line x1="${x0 - 4}" y1="${y(v)}" x2="${x0 + w}" y2="${y(v)}" stroke="#ddd"/>`);
      parts.push(`<text x="${x0 - 6}" y="${(Number(y(v)) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(3)}</text>`);
    }
    parts.push(`<text transform="translate(${x0 - 45},${top + ph / 2}) rotate(-90)" text-anchor="middle">test ${esc(p.metric)}</text>`);
    const groups: [string, number[], string, number][] = [['d = 4', p.narrow, '#d95f02', 0.25], ['D = 64', p.wide, '#1b9e77', 0.7]];
    for (const [label, vals, color, at] of groups) {
      const cx = x0 + w * at;
      vals.forEach((v, i) => {
        const jitter = ((i * 0.618034) % 1 - 0.5) * 36;
        parts.push(`<circle cx="${(cx + jitter).toFixed(1)}" cy="${y(v)}" r="3.5" fill="${color}" fill-opacity="0.7"/>`);
      });
      if (vals.length) {
        const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
        parts.push(`<line x1="${cx - 28}" y1="${y(mean)}" x2="${cx + 28}" y2="${y(mean)}" stroke="${color}" stroke-width="2.5"/>`);
      }
      parts.push(`<text x="${cx}" y="${top + ph + 18}" text-anchor="middle">${label} (${vals.length} runs)</text>`);
    }
    if (p.paper) {
      const marks: [number, string, number][] = [[p.paper.large, 'paper', 0.7], [p.paper.smallMean, 'paper mean', 0.25], [p.paper.smallMax, 'paper max', 0.25]];
      for (const [v, label, at] of marks) {
        if (!Number.isFinite(v)) continue;
        const cx = x0 + w * at;
        parts.push(`<line x1="${cx - 40}" y1="${y(v)}" x2="${cx + 40}" y2="${y(v)}" stroke="black" stroke-dasharray="4 3"/>`);
        parts.push(`<text x="${cx + 42}" y="${(Number(y(v)) + 4).toFixed(1)}" font-size="9">${esc(label)}</text>`);
      }
    }
    parts.push(`<text x="${x0 + w / 2}" y="${top + ph + 36}" text-anchor="middle" font-size="10" fill="#555">${esc(p.paper?.label ?? '')}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
