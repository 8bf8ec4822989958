import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

describe('npx cdk synth of the example company stack', () => {
  it('works offline with no credentials and bundles the router locally', () => {
    const out = mkdtempSync(join(tmpdir(), 'headroom-synth-'));
    try {
      const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true' };
      const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', out], { cwd: ROOT, env, encoding: 'utf8', timeout: 240_000 });
      expect(result.stderr).not.toMatch(/Error|error TS/);
      expect(result.status).toBe(0);
      const template = JSON.parse(readFileSync(join(out, 'SupportBotHeadroom.template.json'), 'utf8'));
      const fn = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Runtime === 'nodejs22.x');
      expect(fn?.Properties).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs22.x' });
      expect(existsSync(join(out, 'validation-report.json'))).toBe(true);
      // The example plan has Azure targets and no azure.clientId yet (it comes from the first pulumi up).
      expect(result.stderr).toContain('headroom:azureClientIdMissing');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
