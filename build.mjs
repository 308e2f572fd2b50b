// Builds static/dist/: the GOV.UK Frontend stylesheet compiled with our settings, its JavaScript,
// htmx and the assets they need. Run with `npm run build` (the Makefile does it).
import { compile } from "sass";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

const out = "static/dist";
mkdirSync(out, { recursive: true });

const css = compile("static/src/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(`${out}/app.css`, css.css);

// One classic script: GOV.UK Frontend's UMD bundle (it sets window.GOVUKFrontend), then ours.
const bundle = readFileSync("node_modules/govuk-frontend/dist/govuk/all.bundle.js", "utf8")
  .replace(/^\/\/# sourceMappingURL=.*$/m, "");
writeFileSync(`${out}/app.js`, `${bundle}\n${readFileSync("static/src/app.js", "utf8")}`);
cpSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", `${out}/assets/images`, { recursive: true });
console.log(`built ${out}/app.css (${css.css.length} bytes)`);
