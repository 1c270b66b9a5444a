/** The port every adapter implements to hand a revision's files to the snapshot builder. */

export type EntryType = "file" | "symlink" | "submodule";

export interface TreeEntry {
  readonly path: string;
  readonly size: number;
  /** Git blob id; keys the per-file extraction cache. Null when unknown. */
  readonly blobSha: string | null;
  readonly type: EntryType;
}

export interface FileSource {
  /** What this source reads, for messages (`HEAD`, a SHA, `worktree`). */
  readonly label: string;
  listFiles(): Promise<TreeEntry[]>;
  /**
   * Contents of the given paths; a path that cannot be read maps to an Error, never throws.
   * A source that streams may also hand each file to `onFile` as soon as its bytes are in (the
   * snapshot builder starts parsing then); the returned map stays the whole answer.
   */
  readFiles(paths: readonly string[], onFile?: (path: string, data: Uint8Array) => void): Promise<Map<string, Uint8Array | Error>>;
}
