// The server command, from the `pitfall.path` setting. Kept free of the
// `vscode` module so that it can be tested with plain Node.

import * as os from "os";
import * as path from "path";

/** The configured binary, with `~` and `${workspaceFolder}` expanded. */
export function resolveBinary(configured: string, workspaceFolder: string | undefined): string {
  let binary = configured.trim() || "pitfall";
  if (binary === "~" || binary.startsWith("~/")) {
    binary = path.join(os.homedir(), binary.slice(1));
  }
  if (workspaceFolder !== undefined) {
    binary = binary.split("${workspaceFolder}").join(workspaceFolder);
  }
  return binary;
}
