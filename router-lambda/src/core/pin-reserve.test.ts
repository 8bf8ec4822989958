import { servesPin } from '@headroom/plan';
import { exampleConfig } from './fixtures';
import { discountScarce, PIN_RESERVE_DISCOUNT, PIN_RESERVE_FLOOR, scarcePinServers } from './pin-reserve';
import { seededRng } from './rng';
import { Router } from './router';
import type { Candidate } from './selection';

const config = exampleConfig();

describe('pin reserve', () => {
  it('the scarce servers of a pin are the family\'s targets that serve it when not all do', () => {
    // claude pins 'eu': only bedrock-eu-west-1 and vertex-europe-west1 process in the EU.
    expect([...scarcePinServers(config, config.families.claude!)].sort()).toEqual(['claude/bedrock-eu-west-1', 'claude/vertex-europe-west1']);
    expect(scarcePinServers(config, { ...config.families.claude!, pins: [] }).size).toBe(0);
    const euOnly = { pins: ['eu' as const], targets: ['claude/bedrock-eu-west-1', 'claude/vertex-europe-west1'] };
    expect(scarcePinServers(config, euOnly).size).toBe(0); // every target serves the pin: nothing is scarce
  });

  it('discounts scarce servers for unpinned requests and leaves them their floor while anything else fits', () => {
    const scarce = new Set(['eu']);
    const c = (key: string, score: number): Candidate => ({ key, score, weight: 1 });
    expect(discountScarce([c('us', 0.3), c('eu', 0.9)], scarce)).toEqual([c('us', 0.3), c('eu', 0.9 - PIN_RESERVE_DISCOUNT)]);
    expect(discountScarce([c('us', 0.3), c('eu', PIN_RESERVE_FLOOR - 0.01)], scarce)).toEqual([c('us', 0.3)]);
    // Nothing else fits: the scarce server still serves (a 429 only when capacity is truly gone).
    expect(discountScarce([c('eu', 0.1)], scarce)).toEqual([c('eu', 0)]);
    expect(discountScarce([c('us', 0.3)], new Set())).toEqual([c('us', 0.3)]);
  });

  it('unpinned traffic leaves the EU targets for EU-pinned demand while the others have room', () => {
    const euShare = (pins: readonly ('eu')[]) => {
      const router = new Router({ ...config, families: { ...config.families, claude: { ...config.families.claude!, pins } } }, { rng: seededRng(7) });
      let eu = 0;
      for (let i = 0; i < 200; i++) {
        const p = router.place({ family: 'claude', estimate: { inputTokens: 100, maxTokens: 100 } }, i * 100);
        if (p.kind === 'placed' && servesPin(p.target.residency, 'eu')) eu++;
      }
      return { router, share: eu / 200 };
    };
    const withPin = euShare(['eu']);
    // Only when both capacity-weighted draws are EU targets (herd-safe: never zero).
    expect(withPin.share).toBeLessThan(0.7 * euShare([]).share);
    expect(withPin.share).toBeGreaterThan(0);
    const pinned = withPin.router.place({ family: 'claude', estimate: { inputTokens: 100, maxTokens: 100 }, residency: 'eu' }, 20_000);
    expect(pinned.kind === 'placed' && pinned.headroomAfter).toBeGreaterThan(0.9);
  });

  it('reports the true headroom of the chosen target, not the discounted score', () => {
    const router = new Router({ ...config, families: { ...config.families, claude: { ...config.families.claude!, targets: ['claude/bedrock-eu-west-1', 'claude/bedrock-us-east-1'] } } }, { rng: seededRng(1) });
    const big = { inputTokens: 20_000, maxTokens: 1_000 }; // 21,000 of 30,000 tpm
    const first = router.place({ family: 'claude', estimate: big }, 0);
    expect(first.kind === 'placed' && first.target.key).toBe('claude/bedrock-us-east-1');
    const second = router.place({ family: 'claude', estimate: big }, 0);
    expect(second.kind === 'placed' && second.target.key).toBe('claude/bedrock-eu-west-1'); // nothing else fits
    expect(second.kind === 'placed' && second.headroomAfter).toBeCloseTo(0.3);
  });
});
