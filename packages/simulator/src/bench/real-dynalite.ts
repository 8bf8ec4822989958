/**
 * `node real-dynalite.js`: dynalite (DynamoDB's API, in memory) on a free loopback port, for the
 * real-process benchmark's shared store. Prints `dynalite at <url>`; SIGTERM stops it.
 * dynalite: https://github.com/architect/dynalite (`createTableMs`: how long a new table stays CREATING).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

const server = dynalite({ createTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.stdout.write(`dynalite at http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
