export * from './sources';
export * from './regions';
export * from './azure';
export * from './bedrock';
export * from './vertex';
export * from './residency';
export * from './direct';
export * from './quota-scopes';
