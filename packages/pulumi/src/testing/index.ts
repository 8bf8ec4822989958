export * from './strict-mocks';
