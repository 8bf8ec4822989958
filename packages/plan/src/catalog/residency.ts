import type { Geo, Target } from '../types';
import { AZURE_SKU_INFO } from './azure';
import { geoOfRegion } from './regions';
import { vertexEndpointKind } from './vertex';

/** Where a target processes requests: anywhere, within a geography, or in its own region. */
export type Residency =
  | { readonly scope: 'global' }
  | { readonly scope: 'geo'; readonly geo: Geo }
  | { readonly scope: 'region'; readonly geo: Geo; readonly region: string };

const PROFILE_GEO = { us: 'us', eu: 'eu', apac: 'apac', jp: 'apac', au: 'apac' } as const;

/** Residency of a target; undefined when its region is unknown to the catalog. */
export function residencyOf(target: Target): Residency | undefined {
  switch (target.provider) {
    case 'anthropic':
    case 'openai':
      return { scope: 'global' };
    case 'bedrock': {
      if (target.profile === 'global') return { scope: 'global' };
      if (target.profile) return { scope: 'geo', geo: PROFILE_GEO[target.profile] };
      return inRegion('bedrock', target.region);
    }
    case 'vertex': {
      const kind = vertexEndpointKind(target.region);
      if (kind === 'global') return { scope: 'global' };
      if (kind !== 'regional') return { scope: 'geo', geo: kind };
      return inRegion('vertex', target.region);
    }
    case 'azure-openai': {
      const processing = AZURE_SKU_INFO[target.sku].processing;
      if (processing === 'global') return { scope: 'global' };
      const region = inRegion('azure-openai', target.region);
      if (!region || region.scope !== 'region') return region;
      return processing === 'data-zone' ? { scope: 'geo', geo: region.geo } : region;
    }
  }
}

function inRegion(provider: 'bedrock' | 'vertex' | 'azure-openai', region: string): Residency | undefined {
  const geo = geoOfRegion(provider, region);
  if (!geo) return undefined;
  return geo === 'global' ? { scope: 'global' } : { scope: 'region', geo, region };
}

/** Whether a target may serve a request pinned to a geography. Global processing never may. */
export function servesPin(residency: Residency | undefined, pin: Geo): boolean {
  return residency !== undefined && residency.scope !== 'global' && residency.geo === pin;
}

export function describeResidency(residency: Residency | undefined): string {
  if (!residency) return 'unknown';
  switch (residency.scope) {
    case 'global': return 'global';
    case 'geo': return residency.geo;
    case 'region': return `${residency.geo} (${residency.region})`;
  }
}
