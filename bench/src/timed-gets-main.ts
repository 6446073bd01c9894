/**
 * Child entry of `timeGetsInChild` (timed-gets.ts): `node --expose-gc timed-gets-main.ts` (Node 24
 * strips the types), the request as JSON on stdin; prints the measurement as JSON on stdout.
 */
import { text } from 'node:stream/consumers';
import { timeGets, type TimedGetsRequest } from './timed-gets.ts';

const request = JSON.parse(await text(process.stdin)) as TimedGetsRequest;
process.stdout.write(JSON.stringify(await timeGets(request)));
