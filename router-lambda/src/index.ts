export * from './core/contracts';
