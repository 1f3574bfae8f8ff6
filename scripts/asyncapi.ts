import { asyncApiJson } from '@storecredit/contracts';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** `npm run asyncapi`: writes the contract's AsyncAPI document where the contract's spec compares it. */
const target = resolve(__dirname, '..', 'docs', 'asyncapi.json');
writeFileSync(target, asyncApiJson());
process.stdout.write(`wrote ${target}\n`);
