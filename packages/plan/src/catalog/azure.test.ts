import { azureGrantedRpm, azureModelSku } from './azure';

/**
 * Figures read from the quota tier tables (azure-ai-docs articles/ai-foundry/openai/includes/quota-tier/,
 * tier-1.md and tier-6.md, 2026-02): "RPM" given per 10 s is multiplied by 6.
 */
describe('Azure catalog: o4-mini DataZoneStandard', () => {
  it('grants 6 RPM per 1,000 TPM: 300 per 10 s at 300,000 TPM (tier 1), 4,000 per 10 s at 4,000,000 TPM (tier 6)', () => {
    expect(azureGrantedRpm('o4-mini', 'DataZoneStandard', 300_000)).toBe(300 * 6);
    expect(azureGrantedRpm('o4-mini', 'DataZoneStandard', 4_000_000)).toBe(4_000 * 6);
    expect(azureModelSku('o4-mini', 'DataZoneStandard')).toMatchObject({ tier1Tpm: 300_000, tier6Tpm: 4_000_000 });
  });

  it('GlobalStandard stays at 1 per 1,000 TPM: 1,000 RPM at 1,000,000 TPM (tier 1)', () => {
    expect(azureGrantedRpm('o4-mini', 'GlobalStandard', 1_000_000)).toBe(1_000);
  });
});
