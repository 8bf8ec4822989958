import { EXAMPLE_PLAN_PATH, headroom } from '../testing';

describe('headroom demo', () => {
  it('runs emulator, router and chatbot traffic, then summarises served capacity against the quotas', () => {
    const { code, stdout, stderr } = headroom(['demo', EXAMPLE_PLAN_PATH, '--minutes', '4', '--time-scale', '240']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Headroom demo: emulated minute');
    expect(stdout).toMatch(/bedrock-us-east-1 +us-east-1 +[█░]{20} +\d+% headroom +RPM [\d,]+\/1,000 +TPM [\d,]+\/30,000/);
    const chatbot = /chatbot: served [\d,]+ tokens\/min; quota use [\d,]+ TPM = (\d+\.\d+)x the best single region \(30,000\), \d+% of the sum of quotas \(90,000\); client 429s (\d+) of (\d+)/.exec(stdout);
    expect(chatbot).not.toBeNull();
    // Offered at 90% of the pool, the chatbot family must use well over one region's quota.
    expect(Number(chatbot![1])).toBeGreaterThan(1.5);
    expect(Number(chatbot![3])).toBeGreaterThan(50);
  }, 30_000);

  it('rejects a bad option for people', () => {
    const { code, stderr } = headroom(['demo', '--minutes', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('--minutes "0" is not valid');
    expect(stderr).toContain('use a number above 0');
  });
});
