/** The multiplier chart (multiplier-<mode>.svg), drawn from BENCHMARKS.json rows. The tables are render.ts's. */
import type { BenchRow } from './summary';

const COLORS: Readonly<Record<string, string>> = {
  headroom: '#1b7f3b', 'fixed-primary': '#b0b0b0', 'round-robin': '#7f8fa6', 'round-robin-ejection': '#4a5a78', 'portkey-loadbalance': '#e1a03a',
  'portkey-loadbalance-fallback': '#b36b00', 'litellm-usage-v2': '#8e5ea2', 'litellm-usage-v2-fallbacks': '#5b2f73', oracle: '#203040',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A grouped bar chart of the mean multiplier per scenario and strategy (from BENCHMARKS.json rows), written by hand as SVG. */
export function multiplierSvg(rows: readonly BenchRow[]): string {
  const strategies: { id: string; label: string }[] = [];
  for (const r of rows) if (!strategies.some((s) => s.id === r.strategy)) strategies.push({ id: r.strategy, label: r.label });
  const results = [...new Set(rows.map((r) => r.scenario))].map((scenario) => ({ scenario, strategies: rows.filter((r) => r.scenario === scenario) }));
  const barW = 12;
  const groupW = strategies.length * barW + 18;
  const left = 50;
  const top = 40;
  const plotH = 260;
  const width = left + results.length * groupW + 20;
  const height = top + plotH + 120;
  const max = Math.max(3.2, Math.ceil(Math.max(0, ...rows.map((r) => r.multiplierMean)) * 2) / 2);
  const y = (v: number) => top + plotH - (Math.max(0, Math.min(max, v)) / max) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">Mean multiplier over seeds vs one region's declared quota at &lt;=0.1% client refusals</text>`);
  for (let v = 0; v <= max + 1e-9; v += 0.5) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}x</text>`);
  }
  parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(2.7)}" y2="${y(2.7)}" stroke="#c0392b" stroke-dasharray="5,3"/><text x="${width - 12}" y="${y(2.7) - 4}" text-anchor="end" fill="#c0392b">2.7x planning rule</text>`);
  results.forEach((r, gi) => {
    const gx = left + gi * groupW + 9;
    r.strategies.forEach((s) => {
      const x = gx + strategies.findIndex((t) => t.id === s.strategy) * barW;
      parts.push(`<rect x="${x}" y="${y(s.multiplierMean)}" width="${barW - 2}" height="${top + plotH - y(s.multiplierMean)}" fill="${COLORS[s.strategy] ?? '#999'}"><title>${escape(`${r.scenario} / ${s.label}: ${s.multiplierMean.toFixed(3)}x mean over ${s.seeds} seeds`)}</title></rect>`);
    });
    parts.push(`<text transform="translate(${gx + (strategies.length * barW) / 2},${top + plotH + 10}) rotate(35)" text-anchor="start">${escape(r.scenario)}</text>`);
  });
  strategies.forEach((s, i) => {
    const lx = left + (i % 3) * 230;
    const ly = height - 30 + Math.floor(i / 3) * 14 - 14;
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[s.id] ?? '#999'}"/><text x="${lx + 14}" y="${ly}">${escape(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
