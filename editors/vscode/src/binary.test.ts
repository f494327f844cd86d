// `npm test`: node's test runner on the compiled output.

import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import { resolveBinary } from "./binary";

test("a bare name is left for PATH lookup", () => {
  assert.equal(resolveBinary("pitfall", "/ws"), "pitfall");
  assert.equal(resolveBinary("  ", "/ws"), "pitfall");
});

test("home and workspace folder are expanded", () => {
  assert.equal(resolveBinary("~/bin/pitfall", undefined), path.join(os.homedir(), "bin/pitfall"));
  assert.equal(
    resolveBinary("${workspaceFolder}/target/debug/pitfall", "/ws"),
    "/ws/target/debug/pitfall",
  );
  assert.equal(resolveBinary("${workspaceFolder}/pitfall", undefined), "${workspaceFolder}/pitfall");
});
