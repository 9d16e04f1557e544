// Before `npm test`: build the real backend's addon if it is not built yet, so the real-kernel
// tests run on a fresh machine. A failed build does not stop the tests: they then skip with
// the reason printed (or fail, when NXTSIM_REAL_MUST_WORK=1).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const addon = new URL("../real/native/build/Release/nxtsim_native.node", import.meta.url);
if (!existsSync(addon)) {
  try {
    execFileSync("npm", ["run", "--silent", "build:native"], { stdio: "inherit" });
  } catch {
    process.stderr.write("ensure-native: the native addon did not build; the real-kernel tests will say why they skip\n");
  }
}
