#!/usr/bin/env node
// The `yilian` command. Runs the TypeScript sources through tsx, so `npx yilian …` works from a fresh clone
// without a build step. The import is dynamic so that it happens after the loader is registered.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
