#!/usr/bin/env node
// Rewrites the README's configuration tables from the services' config specs (`pnpm docs:config`).
import * as fs from 'node:fs';
import * as path from 'node:path';

import { withConfigTables } from '../readme-config';

const readmePath = path.resolve(__dirname, '..', '..', '..', '..', 'README.md');
fs.writeFileSync(readmePath, withConfigTables(fs.readFileSync(readmePath, 'utf8')));
console.log(`updated ${readmePath}`);
