/**
 * BENCHMARKS.md's generated region, rendered from BENCHMARKS.json only (no run, no clock):
 *   npm run bench:render   (= node packages/simulator/dist/bench/render.js after the build)
 * Only the text between the marker lines changes; without markers, they are appended at the end.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { reproduceCommand } from './cli-options';
import { decisionCostTable } from './decision-cost';
import { realReport } from './real-process';
import type { CurveRow } from './curves';
import type { BenchmarkJson, BenchRow, ScenarioGroup, ScenarioInfo } from './summary';
import { HEADROOM_ID, ORACLE_ID } from './summary';

export const BEGIN_MARKER = '<!-- BEGIN GENERATED: npm run bench -- --publish -->';
export const END_MARKER = '<!-- END GENERATED -->';

const GROUP_TITLES: Readonly<Record<ScenarioGroup, string>> = {
  matched: 'Matched: the providers behave as declared',
  mismatch: 'Mismatch: a hidden truth the router never reads',
  scale: 'Scale: production-size quotas and 1,000 instances',
  size: 'Request size: a few very long prompts',
};
const GROUPS: readonly ScenarioGroup[] = ['matched', 'mismatch', 'scale', 'size'];

const x3 = (v: number) => `${v.toFixed(3)}x`;
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const ci = (v: number | null) => (v === null ? '' : ` ± ${v.toFixed(3)}`);
const pValue = (p: number | null) => (p === null ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));
const efficiency = (e: number | null) => (e === null ? '–' : e.toFixed(3));
const k = (v: number) => `${(v / 1000).toFixed(1)}k`;

function commandLine(json: BenchmarkJson, scenarios: readonly string[] = []): string {
  if (scenarios.length === 0) return `\`${json.command}\``;
  return `\`${reproduceCommand({ mode: json.mode, seeds: json.seeds, strategies: json.strategyFilter, real: false }, scenarios)}\``;
}

function best(rows: readonly BenchRow[], peers: ReadonlySet<string>): BenchRow | undefined {
  return rows.filter((r) => peers.has(r.strategy)).reduce<BenchRow | undefined>((a, b) => (!a || b.multiplierMean > a.multiplierMean ? b : a), undefined);
}

function summaryTable(json: BenchmarkJson, peers: ReadonlySet<string>): string[] {
  const out = ['| scenario | group | Headroom | best peer | p (paired) | oracle | Headroom efficiency |', '|---|---|---|---|---|---|---|'];
  for (const info of json.scenarios) {
    const rows = json.rows.filter((r) => r.scenario === info.id);
    const headroom = rows.find((r) => r.strategy === HEADROOM_ID);
    const peer = best(rows, peers);
    const oracle = rows.find((r) => r.strategy === ORACLE_ID);
    out.push(`| ${info.id} | ${info.group} | ${headroom ? `${x3(headroom.multiplierMean)}${ci(headroom.multiplierCi95)}` : '–'} | ${peer ? `${x3(peer.multiplierMean)}${ci(peer.multiplierCi95)} (${peer.label})` : '–'} | ${pValue(headroom?.pVsBestPeer ?? null)} | ${oracle ? `${x3(oracle.multiplierMean)}${ci(oracle.multiplierCi95)}` : '–'} | ${efficiency(headroom?.efficiencyMean ?? null)} |`);
  }
  return out;
}

function targetsTable(json: BenchmarkJson): string[] {
  const out = ['| target | result | why |', '|---|---|---|'];
  for (const t of json.targets) out.push(`| ${t.title} | ${t.met ? '**met**' : '**missed**'} | ${t.reason.replace(/\|/g, '\\|')} |`);
  return out;
}

function groupTable(json: BenchmarkJson, infos: readonly ScenarioInfo[]): string[] {
  const out = [
    '| scenario | strategy | multiplier (mean ± 95% CI) | min–max | efficiency | p vs best peer | client failures | token-weighted | largest 5% | upstream 429 / call |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const info of infos) {
    for (const r of json.rows.filter((row) => row.scenario === info.id)) {
      out.push(`| ${r.scenario} | ${r.label} | ${x3(r.multiplierMean)}${ci(r.multiplierCi95)} | ${r.multiplierMin.toFixed(3)}–${r.multiplierMax.toFixed(3)} | ${efficiency(r.efficiencyMean)} | ${pValue(r.pVsBestPeer)} | ${pct(r.clientFailureRate)} | ${pct(r.tokenWeightedFailureRate)} | ${pct(r.largestFailureRate)} | ${pct(r.upstream429Rate)} |`);
    }
  }
  return out;
}

function curvesTable(json: BenchmarkJson, infos: readonly ScenarioInfo[], peers: ReadonlySet<string>): string[] {
  const multiples = json.curveMultiples;
  const out = [
    `| scenario | strategy | ${multiples.map((m) => `client refusals @${m.toFixed(1)}x`).join(' | ')} | ${multiples.map((m) => `largest 5% failed @${m.toFixed(1)}x`).join(' | ')} |`,
    `|---|---|${multiples.map(() => '---|').join('')}${multiples.map(() => '---|').join('')}`,
  ];
  for (const info of infos) {
    const rows = json.rows.filter((r) => r.scenario === info.id);
    const shown = [HEADROOM_ID, best(rows, peers)?.strategy, ORACLE_ID].filter((s): s is string => s !== undefined);
    for (const strategy of shown) {
      const points = multiples.map((m) => json.curves.find((c: CurveRow) => c.scenario === info.id && c.strategy === strategy && c.multiple === m));
      if (points.every((p) => p === undefined)) continue;
      const label = rows.find((r) => r.strategy === strategy)?.label ?? strategy;
      const cell = (p: CurveRow | undefined, metric: 'clientRefusedRate' | 'largestFailureRate') => (p ? `${pct(p.metrics[metric].mean)}${p.metrics[metric].ci95 === null ? '' : ` ± ${pct(p.metrics[metric].ci95!)}`}` : '–');
      out.push(`| ${info.id} | ${label} | ${points.map((p) => cell(p, 'clientRefusedRate')).join(' | ')} | ${points.map((p) => cell(p, 'largestFailureRate')).join(' | ')} |`);
    }
  }
  return out;
}

/** The markdown between the markers (markers excluded). */
export function render(json: BenchmarkJson): string {
  const peers = new Set(json.peers);
  const durations = [...new Set(json.scenarios.map((s) => s.durationMin))];
  const out: string[] = [
    '<!-- Rendered from BENCHMARKS.json by `npm run bench:render`; edit the text outside the markers only. -->',
    '',
    '## Results',
    '',
    `Generated ${json.generatedAt} at commit ${json.commit} on ${json.machine}; took ${(json.seconds / 60).toFixed(1)} min. ` +
      `${json.seeds} seeds per (scenario, strategy), ${durations.map((d) => `${d}`).join(' / ')} virtual minutes per run, ${json.bisectionSteps}-step bisection. ` +
      `Reproduce everything with ${commandLine(json)}; each table below names the command that reproduces it alone ` +
      `(into \`test/benchmark/results/${json.mode}.{json,md}\`; the simulator is deterministic, so the same numbers come back).`,
    '',
    ...(json.failedUnits.length > 0
      ? [`**${json.failedUnits.length} unit(s) failed** and their scenarios are left out: ${json.failedUnits.map((f) => `${f.scenario} seed ${f.seed}: ${f.error}`).join('; ')}.`, '']
      : []),
    '- **multiplier**: the highest load with <= 0.1% client refusals, over the reference region\'s DECLARED rate; mean over seeds ± the 95% t interval (n - 1 df).',
    '- **p**: two-sided paired t-test by seed. Headroom\'s row: against the best peer (highest mean); a peer\'s row: against Headroom; zero variance gives p = 0 (a constant gap) or 1 (none).',
    '- **efficiency**: over the truth-knowing oracle\'s sustainable load (the oracle is greedy, not a proven optimum: above 1 is possible).',
    '- **failures** at the sustainable load, means over seeds: failed logical requests (after client retries) / requests; the same weighted by tokens; among the largest 5% of requests (prompt + max_tokens). **upstream 429 / call**: upstream 429s over client calls.',
    '',
    '### Targets',
    '',
    `Evaluated from BENCHMARKS.json (\`targets\`) by ${commandLine(json)}. A target with nothing measured is missed.`,
    '',
    ...targetsTable(json),
    '',
    '### Summary',
    '',
    commandLine(json),
    '',
    ...summaryTable(json, peers),
    '',
  ];
  for (const group of GROUPS) {
    const infos = json.scenarios.filter((s) => s.group === group);
    if (infos.length === 0) continue;
    out.push(`### ${GROUP_TITLES[group]}`, '', commandLine(json, infos.map((s) => s.id)), '');
    for (const info of infos) out.push(`- \`${info.id}\`: ${info.title} (reference ${info.referenceTarget}, ${k(info.regionQuotaTpm)} declared; the region alone ${x3(info.singleRegionMultiplierMean)}; ${info.durationMin} virtual min)`);
    out.push('', ...groupTable(json, infos), '');
  }
  if (json.curves.length > 0) {
    out.push('### Fixed-load curves', '', `Each strategy at fixed multiples of the reference region's declared rate; client refusals (429 + outage answers) per client call and the failure rate of the largest 5% of requests, mean ± 95% CI over seeds. Headroom, the best peer and the oracle per scenario here; every strategy is in BENCHMARKS.json \`curves\`.`, '');
    for (const group of GROUPS) {
      const infos = json.scenarios.filter((s) => s.group === group);
      if (infos.length === 0) continue;
      out.push(commandLine(json, infos.map((s) => s.id)), '', ...curvesTable(json, infos, peers), '');
    }
  }
  out.push('### Real processes', '');
  if (json.real) out.push(commandLine(json), '', realReport(json.real), '');
  else out.push('Not run (`--no-real`).', '');
  out.push('### Router', '');
  if (json.router) {
    const { throughput, bundle, cold } = json.router;
    out.push(commandLine(json), '',
      `- decision throughput: ${Math.round(throughput.perSecond)} place+complete per second (${(throughput.nsPerDecision / 1000).toFixed(1)} µs each; wall clock, this machine)`,
      `- Lambda bundle: ${(bundle.bytes / 1e6).toFixed(2)} MB; largest: ${bundle.topPackages.map((p) => `${p.name} ${(p.bytes / 1e3).toFixed(0)} kB`).join(', ')}`,
      `- cold init (median of ${cold.runs}): ${cold.initMs.toFixed(0)} ms = require ${cold.requireMs.toFixed(0)} ms + first request ${cold.firstRequestMs.toFixed(0)} ms`, '');
    if (json.router.decisionCost) out.push('Decision cost (CPU time of this process, median of batches):', '', decisionCostTable(json.router.decisionCost), '');
  } else out.push('Not measured.', '');
  return out.join('\n');
}

/** `document` with the region between the markers replaced by `region`; markers appended at the end when absent. */
export function replaceRegion(document: string, region: string): string {
  const begin = document.indexOf(BEGIN_MARKER);
  const end = begin >= 0 ? document.indexOf(END_MARKER, begin) : -1;
  const body = `${BEGIN_MARKER}\n${region.trimEnd()}\n${END_MARKER}`;
  if (begin < 0 || end < 0) return `${document.trimEnd()}\n\n${body}\n`;
  return document.slice(0, begin) + body + document.slice(end + END_MARKER.length);
}

/** Re-render the generated region of `<root>/BENCHMARKS.md` from `<root>/BENCHMARKS.json`. */
export function renderFiles(root: string): string {
  const json = JSON.parse(readFileSync(resolve(root, 'BENCHMARKS.json'), 'utf8')) as BenchmarkJson;
  const mdFile = resolve(root, 'BENCHMARKS.md');
  writeFileSync(mdFile, replaceRegion(readFileSync(mdFile, 'utf8'), render(json)));
  return mdFile;
}

if (require.main === module) {
  try {
    const file = renderFiles(resolve(__dirname, '../../../..'));
    process.stdout.write(`[bench render] re-rendered the generated region of ${file} from BENCHMARKS.json\n`);
  } catch (error) {
    process.stderr.write(`[bench render] failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
