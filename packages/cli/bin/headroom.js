#!/usr/bin/env node
'use strict';
// Committed, not built: npm links a workspace's bin at install time, before `npm run build` creates dist/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const built = join(__dirname, '..', 'dist', 'bin.js');
if (!existsSync(built)) {
  process.stderr.write('headroom: the CLI is not built yet; run `npm run build` in the repository first\n');
  process.exit(1);
}
require(built);
