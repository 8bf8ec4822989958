import type { Geo, Provider } from '../types';
import { SOURCES, type Sourced } from './sources';

/** Region name -> geography, per provider. Anthropic and OpenAI direct APIs have one global endpoint. */
export interface RegionTable extends Sourced {
  readonly regions: Readonly<Record<string, Geo | 'global'>>;
}

const bedrock: RegionTable = {
  source: `${SOURCES.bedrockProfiles}; ${SOURCES.cdkProfiles}`,
  confidence: 'likely',
  regions: {
    'us-east-1': 'us', 'us-east-2': 'us', 'us-west-1': 'us', 'us-west-2': 'us',
    'ca-central-1': 'ca', 'sa-east-1': 'sa',
    'eu-central-1': 'eu', 'eu-central-2': 'eu', 'eu-west-1': 'eu', 'eu-west-2': 'eu', 'eu-west-3': 'eu',
    'eu-north-1': 'eu', 'eu-south-1': 'eu', 'eu-south-2': 'eu',
    'ap-northeast-1': 'apac', 'ap-northeast-2': 'apac', 'ap-northeast-3': 'apac',
    'ap-south-1': 'apac', 'ap-south-2': 'apac',
    'ap-southeast-1': 'apac', 'ap-southeast-2': 'apac', 'ap-southeast-3': 'apac', 'ap-southeast-4': 'apac',
    'ap-southeast-5': 'apac', 'ap-southeast-7': 'apac', 'ap-east-2': 'apac',
    'me-central-1': 'me', 'af-south-1': 'af',
  },
};

const vertex: RegionTable = {
  source: SOURCES.vertexClaude,
  confidence: 'likely',
  regions: {
    global: 'global', us: 'us', eu: 'eu',
    'us-central1': 'us', 'us-east1': 'us', 'us-east4': 'us', 'us-east5': 'us', 'us-south1': 'us',
    'us-west1': 'us', 'us-west4': 'us',
    'northamerica-northeast1': 'ca', 'southamerica-east1': 'sa',
    'europe-west1': 'eu', 'europe-west2': 'eu', 'europe-west3': 'eu', 'europe-west4': 'eu',
    'europe-west6': 'eu', 'europe-west8': 'eu', 'europe-west9': 'eu', 'europe-north1': 'eu', 'europe-southwest1': 'eu',
    'europe-central2': 'eu',
    'asia-east1': 'apac', 'asia-east2': 'apac', 'asia-northeast1': 'apac', 'asia-northeast3': 'apac',
    'asia-south1': 'apac', 'asia-southeast1': 'apac', 'australia-southeast1': 'apac',
    'me-central2': 'me', 'me-west1': 'me',
  },
};

const azure: RegionTable = {
  source: SOURCES.azureRegions,
  confidence: 'likely',
  regions: {
    eastus: 'us', eastus2: 'us', centralus: 'us', northcentralus: 'us', southcentralus: 'us',
    westus: 'us', westus2: 'us', westus3: 'us',
    canadacentral: 'ca', canadaeast: 'ca', brazilsouth: 'sa',
    northeurope: 'eu', westeurope: 'eu', swedencentral: 'eu', francecentral: 'eu', germanywestcentral: 'eu',
    italynorth: 'eu', polandcentral: 'eu', spaincentral: 'eu', switzerlandnorth: 'eu', switzerlandwest: 'eu',
    norwayeast: 'eu', uksouth: 'eu',
    japaneast: 'apac', japanwest: 'apac', koreacentral: 'apac', australiaeast: 'apac', southeastasia: 'apac',
    eastasia: 'apac', southindia: 'apac', centralindia: 'apac',
    uaenorth: 'me', qatarcentral: 'me', southafricanorth: 'af',
  },
};

export const REGIONS: Readonly<Partial<Record<Provider, RegionTable>>> = { bedrock, vertex, 'azure-openai': azure };

/** The geography of a provider region, or undefined when the catalog does not know the region. */
export function geoOfRegion(provider: Provider, region: string): Geo | 'global' | undefined {
  return REGIONS[provider]?.regions[region];
}

export function knownRegions(provider: Provider): string[] {
  return Object.keys(REGIONS[provider]?.regions ?? {}).sort();
}
