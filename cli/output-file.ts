// Files the CLI writes for the user (--json results, --out pictures): written whole (a
// temporary file renamed into place), and a file that cannot be written is one usage line.

import { checkWritable, writeFileAtomic } from "../harness/atomic-file.ts";
import { UsageError } from "../harness/model-options.ts";

function cannotWrite(flag: string, file: string, e: unknown): UsageError {
  const code = typeof e === "object" && e !== null && "code" in e ? ` (${String((e as { code: unknown }).code)})` : "";
  return new UsageError(`cannot write the ${flag} file ${file}${code}`);
}

/** Writes `text` to the file given with `flag`, atomically. */
export function writeOutputFile(flag: string, file: string, text: string): void {
  try {
    writeFileAtomic(file, text);
  } catch (e) {
    throw cannotWrite(flag, file, e);
  }
}

/** Fails now, as writeOutputFile would later, when the file given with `flag` cannot be written; creates nothing. */
export function checkOutputFile(flag: string, file: string): void {
  try {
    checkWritable(file);
  } catch (e) {
    throw cannotWrite(flag, file, e);
  }
}
