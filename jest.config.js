/** Runs every workspace's tests in one jest process. */
module.exports = {
  // Generous, and global: jest ignores testTimeout inside a project. The suite must pass on a busy
  // 2-core machine, and no test asserts a wall-clock duration.
  testTimeout: 30_000,
  projects: [
    '<rootDir>/packages/plan',
    '<rootDir>/packages/client',
    '<rootDir>/packages/emulator',
    '<rootDir>/router-lambda',
    '<rootDir>/packages/simulator',
    '<rootDir>/packages/cdk',
    '<rootDir>/packages/pulumi',
    '<rootDir>/packages/cli',
    '<rootDir>/test',
  ],
};
