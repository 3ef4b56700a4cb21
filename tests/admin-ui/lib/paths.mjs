import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (tests/admin-ui/lib → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Where screenshots go (gitignored). */
export const SHOT_DIR = path.join(REPO_ROOT, 'test-output', 'admin');
