// Shared jest settings: transpile-only with swc (type-checking is `tsc -b`, run separately).
const path = require('node:path');

/** @param {string} dir the workspace directory */
module.exports = function preset(dir) {
  return {
    displayName: path.relative(__dirname, dir),
    rootDir: dir,
    testEnvironment: 'node',
    // Applies when one workspace runs jest alone; the root config sets the same for `npm test`.
    testTimeout: 30_000,
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: {
      '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    },
    // Workspace packages resolve to their sources so unit tests need no build.
    moduleNameMapper: {
      '^@headroom/router-lambda$': path.join(__dirname, 'router-lambda/src/index.ts'),
      '^@headroom/plan/runtime$': path.join(__dirname, 'packages/plan/src/runtime.ts'),
      '^@headroom/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
    },
  };
};
