import { lstatSync, readlinkSync } from 'node:fs';

/** How one top-level system path appears on the host: bound read-only, or re-created as a symlink. */
export type SystemEntry = { readonly kind: 'dir'; readonly path: string } | { readonly kind: 'symlink'; readonly path: string; readonly target: string };

/** Read-only system paths the sandbox needs so that /usr/bin/python3 can start. */
export const SYSTEM_PATHS: readonly string[] = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * Looks at the host: merged-/usr systems have /bin -> usr/bin etc., older ones real dirs.
 * Paths that do not exist are skipped (e.g. /lib32 on most x86-64 hosts).
 */
export function detectSystemLayout(paths: readonly string[] = SYSTEM_PATHS): SystemEntry[] {
  const out: SystemEntry[] = [];
  for (const path of paths) {
    let isLink: boolean;
    try {
      const st = lstatSync(path);
      if (!st.isSymbolicLink() && !st.isDirectory()) continue;
      isLink = st.isSymbolicLink();
    } catch {
      continue;
    }
    out.push(isLink ? { kind: 'symlink', path, target: readlinkSync(path) } : { kind: 'dir', path });
  }
  return out;
}

/** Keeps only files that exist (e.g. /etc/ld.so.cache), for optional read-only binds. */
export function existingFiles(paths: readonly string[]): string[] {
  return paths.filter((p) => {
    try {
      return lstatSync(p).isFile();
    } catch {
      return false;
    }
  });
}
