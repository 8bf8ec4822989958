/**
 * What the router needs at run time: types, cost models, the catalog, naming, RouterConfig and
 * capacity math. No zod and no YAML, so the Lambda bundle stays small and starts fast.
 */
export * from './types';
export * from './naming';
export * from './defaults';
export * from './cost';
export * from './capacity';
export * from './quota-buckets';
export * from './router-config';
export * from './canonical';
export * from './random';
export * as catalog from './catalog';
export { residencyOf, servesPin, describeResidency, type Residency, CATALOG_VERSION } from './catalog';
