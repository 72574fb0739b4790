// Copies lucky-canvas's browser build from node_modules into web/vendor/, so the page
// needs no CDN and a fresh clone runs without npm. `--check` fails if the copy drifted.
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(web, "node_modules/lucky-canvas/dist/index.umd.js");
const license = join(web, "node_modules/lucky-canvas/LICENSE");
const target = join(web, "vendor/lucky-canvas.umd.js");

if (process.argv.includes("--check")) {
  if (!readFileSync(source).equals(readFileSync(target))) {
    console.error(`${target} differs from the npm package; run npm run vendor`);
    process.exit(1);
  }
  console.log("vendor/lucky-canvas.umd.js matches the npm package");
} else {
  copyFileSync(source, target);
  writeFileSync(join(web, "vendor/LICENSE.lucky-canvas"), readFileSync(license));
  console.log(`copied ${source} -> ${target}`);
}
