import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXAMPLE_PLAN_PATH as EXAMPLE, headroom } from './testing';

function writePlan(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
  const file = join(dir, 'headroom.yaml');
  writeFileSync(file, text);
  return file;
}

describe('headroom validate', () => {
  it('exits 0 for the example plan', () => {
    const { code, stdout } = headroom(['validate', EXAMPLE]);
    expect(code).toBe(0);
    expect(stdout).toContain('valid (3 families)');
  });

  it('exits 1 and lists every problem with file:line:column, without a stack trace', () => {
    const bad = readFileSync(EXAMPLE, 'utf8').replace('limits: { tpm: 30000 }          # rpm derived', 'limits: { tpm: 30500 }          # rpm derived').replace('rpm: 500, tpm: 30000', 'rpm: -1, tpm: 30000');
    const file = writePlan(bad);
    const { code, stderr } = headroom(['validate', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`${file.replace(/[/.]/g, '\\$&')}:\\d+:\\d+: error families.gpt.targets.azure-eastus2.limits.tpm`));
    expect(stderr).toContain('error families.gpt.targets.openai.limits.rpm');
    expect(stderr).toContain('2 errors, 0 warnings');
    expect(stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
  });

  it('explains a missing file', () => {
    const { code, stderr } = headroom(['validate', '/nonexistent/headroom.yaml']);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read the plan file (ENOENT)');
  });

  it('prints JSON for machines', () => {
    const { code, stdout } = headroom(['validate', EXAMPLE, '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ valid: true, problems: [] });
  });
});

describe('headroom plan', () => {
  it('shows 90,000 TPM theoretical beside the 2.7x rule of 81,000 for the seed example', () => {
    const { code, stdout } = headroom(['plan', EXAMPLE]);
    expect(code).toBe(0);
    const chatbot = stdout.slice(stdout.indexOf('chatbot'), stdout.indexOf('claude-sonnet  ('));
    expect(chatbot).toContain('Theoretical: 90,000 tokens/min = 3.00x the best single target');
    expect(chatbot).toContain('Seed 2.7x rule: 81,000 tokens/min (2.70x)');
  });

  it('renders markdown and json', () => {
    expect(headroom(['plan', EXAMPLE, '--format', 'markdown']).stdout).toContain('| target | provider | region |');
    const json = JSON.parse(headroom(['plan', EXAMPLE, '--format', 'json']).stdout);
    expect(json.families.find((f: { familyId: string }) => f.familyId === 'chatbot').tokens.sum).toBe(90000);
  });

  it('--simulate predicts each family\'s multiplier with the real router core, beside the 2.7x rule', () => {
    const { code, stdout } = headroom(['plan', EXAMPLE, '--simulate', '--format', 'json']);
    expect(code).toBe(0);
    const { simulations } = JSON.parse(stdout) as { simulations: Record<string, { multiplier: number; oracleMultiplier: number; ruleOfThumb: number }> };
    const chatbot = simulations.chatbot!;
    expect(chatbot.ruleOfThumb).toBeCloseTo(2.7, 5);
    expect(chatbot.multiplier).toBeGreaterThan(2.7);
    expect(chatbot.multiplier).toBeLessThanOrEqual(chatbot.oracleMultiplier * 1.01);
  }, 60_000);

  it('rejects an unknown format with the allowed ones', () => {
    const { code, stderr } = headroom(['plan', EXAMPLE, '--format', 'yaml']);
    expect(code).toBe(1);
    expect(stderr).toContain("unknown --format 'yaml'");
    expect(stderr).toContain('text, markdown, json');
  });

  it('finds infra/headroom.yaml when no file is given', () => {
    expect(headroom(['plan'], resolve(__dirname, '../../..')).code).toBe(0);
  });
});

describe('headroom config', () => {
  it('prints the RouterConfig', () => {
    const config = JSON.parse(headroom(['config', EXAMPLE]).stdout);
    expect(config.schema).toBe('headroom.router-config/v1');
    expect(Object.keys(config.targets)).toHaveLength(11);
  });
});

describe('help and usage errors', () => {
  it.each(['validate', 'plan', 'diff', 'config', 'demo'])('%s --help', (command) => {
    const { code, stdout } = headroom([command, '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: headroom ${command}`);
  });

  it('an unknown command exits 1 with usage help and no stack', () => {
    const { code, stderr } = headroom(['deploy']);
    expect(code).toBe(1);
    expect(stderr).toContain("unknown command 'deploy'");
    expect(stderr).not.toContain('    at ');
  });
});
