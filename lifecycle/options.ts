// Build and behaviour switches of the model. The defaults reproduce Unit c8d9106a as built:
// known bugs present, later upstream fixes off, the no_new_privs prctl compiled out.

import type { UserDb } from "./credential.ts";

/** Upstream fixes that can be switched on (GitHub issue numbers). */
export const KNOWN_FIXES = ["633"] as const;
export type FixName = (typeof KNOWN_FIXES)[number];

/**
 * Broken variants for checking that the tests catch them: re-introduced bugs of older Unit
 * versions (GitHub issue numbers), and matrix mutants ("keep-all": a child keeps every
 * inherited port; "send-all": NEW_PORT ignores the send matrix).
 */
export const KNOWN_MUTANTS = ["600", "312", "keep-all", "send-all"] as const;
export type MutantName = (typeof KNOWN_MUTANTS)[number];

export interface ModelOptions {
  fixes: FixName[];
  mutants: MutantName[];
  /** NXT_HAVE_PR_SET_NO_NEW_PRIVS: false at c8d9106a because of the configure typo. */
  havePrSetNoNewPrivs: boolean;
  /** Stands for /etc/passwd and /etc/group, which getpwnam/getgrnam read. */
  users: UserDb;
  /** The language modules installed on the machine: what discovery finds. */
  modules: { type: string; version: string }[];
}

export function hasFix(options: ModelOptions, fix: FixName): boolean {
  return options.fixes.includes(fix);
}

export function hasMutant(options: ModelOptions, mutant: MutantName): boolean {
  return options.mutants.includes(mutant);
}
