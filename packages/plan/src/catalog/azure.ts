import type { AzureSku, Geo } from '../types';
import { SOURCES, type Sourced } from './sources';

/** One capacity unit of a Standard-family deployment is 1,000 TPM. */
export const AZURE_TPM_PER_UNIT = 1000;

export const AZURE_LIMITS = {
  accountsPerRegionPerSubscription: 30,
  standardDeploymentsPerAccount: 32,
  source: SOURCES.azureQuotas,
  confidence: 'confirmed',
} as const;

export interface AzureSkuInfo extends Sourced {
  /** Where the deployment may process: anywhere, within the data zone (US/EU), or in its own region. */
  readonly processing: 'global' | 'data-zone' | 'region';
  /** Geos that offer the SKU at all. */
  readonly geos: readonly Geo[] | 'all';
}

export const AZURE_SKU_INFO: Readonly<Record<AzureSku, AzureSkuInfo>> = {
  GlobalStandard: { processing: 'global', geos: 'all', source: SOURCES.azureQuotas, confidence: 'confirmed' },
  DataZoneStandard: { processing: 'data-zone', geos: ['us', 'eu'], source: SOURCES.azureQuotas, confidence: 'confirmed' },
  Standard: { processing: 'region', geos: 'all', source: SOURCES.azureQuotas, confidence: 'confirmed' },
};

/**
 * Per (model, SKU): requests per minute granted per 1,000 TPM, and the subscription's per-region TPM
 * quota by quota tier (tier 1 and tier 6 read; the usable maximum is the tier-6 figure).
 */
export interface AzureModelSku {
  readonly rpmPerUnit: number;
  readonly tier1Tpm?: number;
  readonly tier6Tpm?: number;
}

export interface AzureModelInfo extends Sourced {
  readonly skus: Readonly<Partial<Record<AzureSku, AzureModelSku>>>;
  /** Regions offering the model's Standard (regional) SKU, where that SKU is limited. */
  readonly standardRegions?: readonly string[];
}

const M = 1_000_000;
const tiered = (skus: AzureModelInfo['skus'], standardRegions?: string[]): AzureModelInfo => ({
  skus, source: SOURCES.azureQuotas, confidence: 'confirmed', ...(standardRegions ? { standardRegions } : {}),
});

export const AZURE_MODELS: Readonly<Record<string, AzureModelInfo>> = {
  'gpt-5': tiered({
    GlobalStandard: { rpmPerUnit: 10, tier1Tpm: 1 * M, tier6Tpm: 45 * M },
    DataZoneStandard: { rpmPerUnit: 10, tier1Tpm: 0.3 * M, tier6Tpm: 15 * M },
  }),
  'gpt-5.1': tiered({
    GlobalStandard: { rpmPerUnit: 10, tier1Tpm: 1 * M, tier6Tpm: 15 * M },
    DataZoneStandard: { rpmPerUnit: 10, tier1Tpm: 0.3 * M, tier6Tpm: 4 * M },
    Standard: { rpmPerUnit: 10, tier1Tpm: 0.3 * M },
  }, ['eastus', 'eastus2', 'northcentralus', 'southcentralus', 'westus', 'westus3', 'swedencentral']),
  'gpt-5.2': tiered({
    GlobalStandard: { rpmPerUnit: 10, tier1Tpm: 1 * M, tier6Tpm: 15 * M },
    DataZoneStandard: { rpmPerUnit: 10, tier1Tpm: 0.3 * M, tier6Tpm: 4 * M },
  }),
  'gpt-5.4': tiered({ GlobalStandard: { rpmPerUnit: 10 }, DataZoneStandard: { rpmPerUnit: 1 } }),
  'gpt-5.5': tiered({ GlobalStandard: { rpmPerUnit: 1 }, DataZoneStandard: { rpmPerUnit: 1 } }),
  'gpt-5-mini': tiered({
    GlobalStandard: { rpmPerUnit: 1, tier1Tpm: 1 * M, tier6Tpm: 15 * M },
    DataZoneStandard: { rpmPerUnit: 1, tier1Tpm: 0.3 * M, tier6Tpm: 4 * M },
  }),
  'gpt-5-nano': tiered({ GlobalStandard: { rpmPerUnit: 1 }, DataZoneStandard: { rpmPerUnit: 1 } }),
  'gpt-4.1': tiered({
    GlobalStandard: { rpmPerUnit: 1, tier1Tpm: 1 * M, tier6Tpm: 45 * M },
    DataZoneStandard: { rpmPerUnit: 1, tier1Tpm: 0.3 * M, tier6Tpm: 15 * M },
  }),
  'gpt-4o': tiered({
    GlobalStandard: { rpmPerUnit: 6 },
    DataZoneStandard: { rpmPerUnit: 6, tier1Tpm: 0.3 * M, tier6Tpm: 15 * M },
    Standard: { rpmPerUnit: 6 },
  }),
  'gpt-4o-mini': tiered({ GlobalStandard: { rpmPerUnit: 10 }, DataZoneStandard: { rpmPerUnit: 10 } }),
  o3: tiered({
    GlobalStandard: { rpmPerUnit: 1, tier1Tpm: 1 * M, tier6Tpm: 15 * M },
    DataZoneStandard: { rpmPerUnit: 1 },
  }),
  'o4-mini': tiered({
    GlobalStandard: { rpmPerUnit: 1, tier1Tpm: 1 * M, tier6Tpm: 15 * M },
    // Tier tables: "300 / 10s" at 300,000 TPM (tier 1), "4000 / 10s" at 4,000,000 TPM (tier 6):
    // 1,800 and 24,000 RPM, 6 per 1,000 TPM (the o-series "1 RPM per unit" note predates them).
    DataZoneStandard: { rpmPerUnit: 6, tier1Tpm: 0.3 * M, tier6Tpm: 4 * M },
  }),
};

export function azureModelSku(model: string, sku: AzureSku): AzureModelSku | undefined {
  return AZURE_MODELS[model]?.skus[sku];
}

/** Requests per minute Azure grants for a TPM, or undefined when the catalog has no ratio. */
export function azureGrantedRpm(model: string, sku: AzureSku, tpm: number): number | undefined {
  const entry = azureModelSku(model, sku);
  return entry ? Math.floor((tpm / AZURE_TPM_PER_UNIT) * entry.rpmPerUnit) : undefined;
}
