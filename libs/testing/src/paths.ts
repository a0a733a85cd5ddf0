import { resolve } from 'node:path';

/** The repository root, wherever the harness runs from. */
export const REPO_ROOT = resolve(__dirname, '../../..');
export const LOCAL_DIR = process.env.OV_LOCAL_DIR ?? resolve(REPO_ROOT, '.local');
export const STACK_FILE = resolve(LOCAL_DIR, 'test-stack.json');
export const TEST_LOG_DIR = resolve(LOCAL_DIR, 'test-logs');
