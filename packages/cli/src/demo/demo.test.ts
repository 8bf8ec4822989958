import { spawn } from 'node:child_process';
import { BIN, EXAMPLE_PLAN_PATH, headroom, SPAWN_TEST_TIMEOUT_MS } from '../testing';
import { VIEW_WIDTH } from './view';

const SUMMARY = /chatbot: served [\d,]+ tokens\/min; quota use [\d,]+ TPM = (\d+\.\d+)x the best single region \(30,000\),\s+\d+% of the sum of quotas \(90,000\); client 429s (\d+) of (\d+)/;

describe('headroom demo --virtual-time', () => {
  // On a virtual clock the run is the same on any machine, so its numbers can be asserted.
  const args = ['demo', EXAMPLE_PLAN_PATH, '--minutes', '4', '--virtual-time', '--seed', '3'];
  let first: ReturnType<typeof headroom>;
  beforeAll(() => {
    first = headroom(args);
  }, SPAWN_TEST_TIMEOUT_MS);

  it('spreads chatbot traffic over the three regions: far more than one region\'s quota, almost no client 429s', () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const chatbot = SUMMARY.exec(first.stdout);
    expect(chatbot).not.toBeNull();
    // Offered at 2.6x one region: a router stuck on one region would use about 1.25x (one burst plus four refills).
    expect(Number(chatbot![1])).toBeGreaterThan(2.3);
    expect(Number(chatbot![2]) / Number(chatbot![3])).toBeLessThan(0.01);
    expect(first.stdout).toContain('over 4.0 emulated minutes of offered traffic, per emulated minute (the drain after the last request excluded)');
    expect(first.stdout).toContain('Timing: virtual clock');
  });

  it('gives the same numbers on a second run with the same seed', () => {
    const second = headroom(args);
    const summary = (out: string) => out.slice(out.indexOf('Summary'));
    expect(summary(second.stdout)).toBe(summary(first.stdout));
  }, SPAWN_TEST_TIMEOUT_MS);

  it('fits 120 columns and labels RPM and tokens/min as the trailing-minute rate against the declared one', () => {
    for (const line of first.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(VIEW_WIDTH);
    expect(first.stdout).toContain('RPM and tokens/min: used over the trailing emulated minute / declared');
    // While traffic flows the used rate is well above zero (a bucket deficit would read 0/1,000).
    const row = /bedrock-us-east-1 +us-east-1 +[█░]{8} +\d+% +(\d+)\/1,000 +TPM ([\d.]+)k\/30\.0k/.exec(first.stdout);
    expect(row).not.toBeNull();
    expect(Number(row![1])).toBeGreaterThan(0);
    expect(Number(row![2])).toBeGreaterThan(5);
  });

  it('explains why quota use exceeds tokens served, from the providers\' documented counting', () => {
    // Bedrock burns Claude 3.7+ output tokens 5x against TPM; Azure counts prompt + max_tokens and refunds nothing.
    const explanation = first.stdout.slice(first.stdout.indexOf('Quota use counts')).replace(/\s+/g, ' ');
    expect(explanation).toContain('Bedrock counts each output token 5x against TPM');
    expect(explanation).toContain('Azure OpenAI counts prompt + max_tokens at admission and refunds none of it');
  });
});

describe('headroom demo on the real clock', () => {
  it('prints the summary so far on Ctrl-C and exits 130', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', EXAMPLE_PLAN_PATH, '--minutes', '40', '--time-scale', '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('Ctrl-C: the summary so far')) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(130);
    expect(stdout).toContain('(stopped early by Ctrl-C)');
    expect(stdout).toMatch(/chatbot: served [\d,]+ tokens\/min/);
  }, SPAWN_TEST_TIMEOUT_MS);

  it('rejects a bad option for people', () => {
    const { code, stderr } = headroom(['demo', '--minutes', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('--minutes "0" is not valid');
    expect(stderr).toContain('use a number above 0');
  });
});
