import { admissionCharge } from '@headroom/plan';
import { scenarios } from './scenarios';
import { ORDINARY_PROMPT_CAP, TrafficStream } from './traffic';
import { quotaFactorOf } from './truth';

const all = scenarios(120);
const byId = (id: string) => {
  const scenario = all.find((s) => s.id === id);
  if (!scenario) throw new Error(`no scenario ${id}`);
  return scenario;
};
const US = 'chatbot/bedrock-us-east-1';
const EU = 'chatbot/bedrock-eu-west-1';
const AP = 'chatbot/bedrock-ap-southeast-1';

describe('scenarios', () => {
  it('lists the issue\'s scenarios once each, in their groups', () => {
    const ids = all.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    const group = (g: string) => all.filter((s) => s.group === g).map((s) => s.id);
    expect(group('matched')).toEqual(['seed-3x30k', 'uneven-60-30-10k', 'bursts', 'diurnal', 'eu-pinned-20', 'degraded', 'retry-storm', 'stale-100', 'azure-max-tokens']);
    expect(group('mismatch')).toEqual(['truth-us-east-half', 'truth-above-declared', 'truth-burst-30s', 'truth-fixed-window', 'truth-sliding-window', 'truth-tokenizer', 'truth-latency', 'truth-mixed', 'region-dark']);
    expect(group('scale')).toEqual(['production-3x900k', 'stale-1000']);
    expect(group('size')).toEqual(['long-prompts-2pct']);
  });

  it('matched scenarios have no truth and no failing region (declared = true)', () => {
    for (const s of all.filter((x) => x.group === 'matched')) expect({ id: s.id, truth: s.truth, failing: s.failing }).toEqual({ id: s.id, truth: undefined, failing: undefined });
  });

  it('every truth names targets of the scenario\'s family, and the plan stays what a user declares (3 x 30k TPM)', () => {
    for (const s of all.filter((x) => x.group === 'mismatch')) {
      const family = s.config.families[s.family]!;
      for (const key of Object.keys(s.truth ?? {})) expect(family.targets).toContain(key);
      for (const key of family.targets) expect(s.config.targets[key]!.limits.tpm).toBe(30_000);
    }
  });

  it('each mismatch truth is the one its title names', () => {
    expect(quotaFactorOf(byId('truth-us-east-half').truth![US], 'tpm')).toBe(0.5);
    expect(quotaFactorOf(byId('truth-above-declared').truth![EU], 'tpm')).toBe(1.4);
    for (const key of [US, EU, AP]) {
      expect(byId('truth-burst-30s').truth![key]!.burstMs).toBe(30_000);
      expect(byId('truth-fixed-window').truth![key]!.refill).toBe('fixed-window');
      expect(byId('truth-sliding-window').truth![key]!.refill).toBe('sliding-window');
      expect(byId('truth-tokenizer').truth![key]!.tokenizerRatio).toBe(1.2);
      expect(byId('truth-mixed').truth![key]!.tokenizerRatio).toBe(1.1);
    }
    expect(byId('truth-latency').truth).toEqual({ [AP]: { rttMs: 250, ttftFactor: 2 } });
    expect(quotaFactorOf(byId('truth-mixed').truth![US], 'tpm')).toBe(0.5);
    expect(byId('truth-mixed').truth![EU]!.refill).toBe('fixed-window');
  });

  it('region-dark: us-east-1 answers 503 for the middle 10 of 120 minutes', () => {
    expect(byId('region-dark').failing).toEqual([{ target: US, fromMs: 55 * 60_000, toMs: 65 * 60_000, status: 503 }]);
  });

  it('production-3x900k: tokens bind, not requests', () => {
    const s = byId('production-3x900k');
    const stream = new TrafficStream(s.traffic, s.durationMin * 60_000, 1);
    for (const key of s.config.families[s.family]!.targets) {
      const target = s.config.targets[key]!;
      expect(target.limits.tpm).toBe(900_000);
      // Requests per minute the token limit allows (admission charge, the larger) stay under the RPM limit.
      const perMinute = target.limits.tpm! / stream.mean((r) => admissionCharge(target.cost, r).tpm!);
      expect(perMinute).toBeLessThan(target.limits.rpm!);
    }
  });

  it('long-prompts-2pct: ~2% of prompts in 60k-100k, the rest under the 16k cap, and the largest fits every region', () => {
    const s = byId('long-prompts-2pct');
    const stream = new TrafficStream(s.traffic, s.durationMin * 60_000, 1);
    const requests = stream.at(200).map((a) => a.request);
    const long = requests.filter((r) => r.inputTokens > ORDINARY_PROMPT_CAP);
    expect(long.length / requests.length).toBeGreaterThan(0.015);
    expect(long.length / requests.length).toBeLessThan(0.025);
    for (const r of long) {
      expect(r.inputTokens).toBeGreaterThanOrEqual(60_000);
      expect(r.inputTokens).toBeLessThanOrEqual(100_000);
    }
    for (const key of s.config.families[s.family]!.targets) {
      const target = s.config.targets[key]!;
      expect(admissionCharge(target.cost, { inputTokens: 100_000, maxTokens: 1024 }).tpm!).toBeLessThanOrEqual(target.limits.tpm!);
    }
  });

});
