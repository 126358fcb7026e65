import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder that holds Junction's package.json: the checkout, or the installed package. Files that ship
 * beside the code (the built dashboard in web/dist) are found from here, because a module's own place differs
 * between the sources run through tsx (src/…) and the compiled code (dist/src/…).
 */
export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    // The file system's root: no package.json above this module, which only a copied-out file can be.
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}
