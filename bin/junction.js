#!/usr/bin/env node
// The `junction` command. An installed package runs its compiled code (dist/). A checkout runs dist/ when it
// is built from the sources as they are now (`npm run build`; `npm start` builds first), and otherwise the
// sources themselves through tsx, a dev dependency: an edit is never hidden behind an older build.
import { existsSync } from 'node:fs';
import { applyNodeSettings } from './node-settings.js';

// First, before the hub's code is loaded: the memory settings (see node-settings.js).
await applyNodeSettings();

const checkout = existsSync(new URL('../src/cli/main.ts', import.meta.url));
let compiled = true;
if (checkout) {
  const { codeIsCurrent } = await import('../scripts/build-state.mjs');
  compiled = codeIsCurrent();
}
if (compiled) {
  await import('../dist/junction.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
