// Imported first by index.ts: stops a too-old Node.js with a clear message before the program loads.
import { requireSupportedNode } from './node-version.ts';

requireSupportedNode();
