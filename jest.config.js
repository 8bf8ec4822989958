/** Runs every workspace's tests in one jest process. */
module.exports = {
  projects: ['<rootDir>/packages/plan', '<rootDir>/packages/cli'],
};
