/**
 * Part of every policy digest: the same invariant files under another engine may find other
 * things, so verdicts from different engines must never be mistaken for each other.
 * A test keeps it equal to package.json's version.
 */
export const ENGINE_VERSION = "0.1.0";
