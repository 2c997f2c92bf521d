// Validates Kubernetes manifests against the API's schemas with kubernetes-models (an implementation independent
// of this repository's C# tests): every document must be a known kind whose fields and types the schema accepts.
// Usage: node validate.mjs FILE.yaml...   Exit 0 when all are valid; 1 with one line per problem otherwise.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import { Namespace, Service, ConfigMap } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";

const kinds = {
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
};

let problems = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  let docs;
  try {
    docs = yaml.loadAll(readFileSync(file, "utf8"));
  } catch (e) {
    console.log(`${file}: not YAML: ${e.message}`);
    problems++;
    continue;
  }
  for (const doc of docs.filter((d) => d !== null && d !== undefined)) {
    const key = `${doc.apiVersion}/${doc.kind}`;
    const Model = kinds[key];
    const name = `${file}: ${doc.kind ?? "?"} ${doc.metadata?.name ?? "?"}`;
    if (!Model) {
      console.log(`${name}: unknown kind ${key}`);
      problems++;
      continue;
    }
    try {
      new Model(doc).validate();
      checked++;
      console.log(`${name}: valid`);
    } catch (e) {
      console.log(`${name}: ${e.message}`);
      problems++;
    }
  }
}
console.log(`${checked} valid, ${problems} problem(s)`);
process.exit(problems === 0 && checked > 0 ? 0 : 1);
