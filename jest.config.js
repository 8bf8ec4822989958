/** Runs every workspace's tests in one jest process. */
module.exports = {
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
