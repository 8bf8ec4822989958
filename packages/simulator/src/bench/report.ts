import type { ScenarioResult } from '../measure';
import type { RealRow } from './real-process';

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const k = (x: number) => `${(x / 1000).toFixed(1)}k`;

/** Markdown tables: per scenario, per strategy. */
export function scenarioTables(results: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`### ${r.title} (\`${r.scenario}\`)`, '');
    out.push(`Reference region ${r.referenceTarget} (${k(r.regionQuotaTpm)} TPM declared, ${r.regionRatePerMin.toFixed(1)} req/min of this traffic). ` +
      `Single region alone: ${k(r.singleRegion.quotaTpm)} quota-TPM at <=0.1% (${(r.singleRegion.ratePerMin / r.regionRatePerMin).toFixed(2)}x). Load = ${r.rateIs} rate.`, '');
    out.push('| strategy | sustainable @<=0.1% (quota-TPM) | multiplier | @<=1% | efficiency vs oracle | pooling gain | client 429 | client 529/503 | upstream 429 | retry amp. | added p50 / p99 ms |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const s of r.strategies) {
      const run = s.strict.run;
      out.push(`| ${s.label} | ${k(s.strict.quotaTpm)} | ${s.multiplier.toFixed(2)}x | ${s.multiplierLoose.toFixed(2)}x | ${s.efficiency.toFixed(3)} | ${s.poolingGain.toFixed(2)} | ${pct(run.client429Rate)} | ${pct(run.clientOutageRate)} | ${pct(run.upstream429Rate)} | ${run.retryAmplification.toFixed(2)} | ${run.addedLatencyP50Ms.toFixed(1)} / ${run.addedLatencyP99Ms.toFixed(1)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** One line per scenario: Headroom vs the best peer and the oracle. */
export function summaryTable(results: readonly ScenarioResult[]): string {
  const out = ['| scenario | Headroom | best peer | oracle | Headroom efficiency | beats every peer |', '|---|---|---|---|---|---|'];
  for (const r of results) {
    const h = r.strategies.find((s) => s.strategy === 'headroom')!;
    const o = r.strategies.find((s) => s.strategy === 'oracle')!;
    const peers = r.strategies.filter((s) => s.strategy !== 'headroom' && s.strategy !== 'oracle');
    const best = peers.reduce((a, b) => (b.multiplier > a.multiplier ? b : a));
    out.push(`| ${r.scenario} | ${h.multiplier.toFixed(2)}x | ${best.multiplier.toFixed(2)}x (${best.label}) | ${o.multiplier.toFixed(2)}x | ${h.efficiency.toFixed(3)} | ${peers.every((p) => h.strict.ratePerMin > p.strict.ratePerMin) ? 'yes' : 'no'} |`);
  }
  return out.join('\n');
}

export function realTable(rows: readonly RealRow[]): string {
  const out = ['| system | requests | ok | client 429 | other errors | goodput (tokens/emulated min) | p50 / p99 ms | added p50 / p99 ms vs direct |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    out.push(`| ${r.system} | ${r.offered} | ${r.ok} | ${r.client429} (${pct(r.client429 / Math.max(1, r.offered))}) | ${r.otherErrors} | ${k(r.goodputTpm)} | ${r.latencyP50Ms.toFixed(2)} / ${r.latencyP99Ms.toFixed(2)} | ${r.addedP50Ms.toFixed(2)} / ${r.addedP99Ms.toFixed(2)} |`);
  }
  return out.join('\n');
}

const COLORS: Readonly<Record<string, string>> = {
  headroom: '#1b7f3b', 'fixed-primary': '#b0b0b0', 'round-robin': '#7f8fa6', 'portkey-loadbalance': '#e1a03a', 'litellm-usage-v2': '#8e5ea2', oracle: '#203040',
};

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A grouped bar chart of the multiplier per scenario and strategy, written by hand as SVG. */
export function multiplierSvg(results: readonly ScenarioResult[]): string {
  const strategies = results[0]?.strategies.map((s) => ({ id: s.strategy, label: s.label })) ?? [];
  const barW = 12;
  const groupW = strategies.length * barW + 18;
  const left = 50;
  const top = 40;
  const plotH = 260;
  const width = left + results.length * groupW + 20;
  const height = top + plotH + 120;
  const max = 3.2;
  const y = (v: number) => top + plotH - (Math.max(0, Math.min(max, v)) / max) * plotH;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">Effective multiplier vs one region's quota at &lt;=0.1% client 429s</text>`);
  for (let v = 0; v <= max + 1e-9; v += 0.5) {
    parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${left - 6}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}x</text>`);
  }
  parts.push(`<line x1="${left}" x2="${width - 10}" y1="${y(2.7)}" y2="${y(2.7)}" stroke="#c0392b" stroke-dasharray="5,3"/><text x="${width - 12}" y="${y(2.7) - 4}" text-anchor="end" fill="#c0392b">2.7x planning rule</text>`);
  results.forEach((r, gi) => {
    const gx = left + gi * groupW + 9;
    r.strategies.forEach((s, si) => {
      const x = gx + si * barW;
      parts.push(`<rect x="${x}" y="${y(s.multiplier)}" width="${barW - 2}" height="${top + plotH - y(s.multiplier)}" fill="${COLORS[s.strategy] ?? '#999'}"><title>${escape(`${r.scenario} / ${s.label}: ${s.multiplier.toFixed(2)}x`)}</title></rect>`);
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
