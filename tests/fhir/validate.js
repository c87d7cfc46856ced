// validate.js — FHIR R4 validation, offline, with FHIR.js (npm `fhir`): every
// line of each NDJSON file is a resource — a Bundle (validated whole: every
// resource in it), or one resource alone (a Task, a ServiceRequest, a
// CapabilityStatement, an OperationOutcome). Prints one line per problem
// (FILE:LINE: Bundle.entry[i].resource (Type/id): location: message) and exits
// 1 when there is any, else prints the counts and exits 0.
// Usage: node validate.js FILE.ndjson...
'use strict';
const fs = require('fs');
const { Fhir } = require('fhir');

const fhir = new Fhir();
let bundles = 0, resources = 0, problems = 0;
const alone = {};

function report(where, what) {
  problems++;
  console.error(`${where}: ${what}`);
}

// The Bundle is validated as a whole (FHIR.js goes into every entry); each
// problem is named by the entry it is in.
function check(at, bundle) {
  resources += 1 + (bundle.entry || []).length;
  const r = fhir.validate(bundle, { errorOnUnexpected: true });
  for (const m of r.messages) {
    if (m.severity !== 'error') continue;
    // FHIR.js names a resource by its id, else by its path in the Bundle.
    const entries = bundle.entry || [];
    const type = m.location.split('.')[0];
    let k = entries.findIndex(e => e.resource && e.resource.id === m.resourceId &&
                                   e.resource.resourceType === type);
    const p = /^Bundle\.entry\[(\d+)\]/.exec(m.resourceId || '');
    if (k < 0 && p) k = +p[1];
    const res = k >= 0 ? entries[k].resource || {} : bundle;
    const name = k >= 0 ? `Bundle.entry[${k}].resource (${res.resourceType}/${res.id})` : 'Bundle';
    report(`${at}: ${name}`, `${m.location}: ${m.message}`);
  }
}

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node validate.js FILE.ndjson...');
  process.exit(2);
}
for (const file of files) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, i) => {
    if (!text.trim()) return;
    const at = `${file}:${i + 1}`;
    let bundle;
    try {
      bundle = JSON.parse(text);
    } catch (e) {
      report(at, `not JSON: ${e.message}`);
      return;
    }
    if (bundle.resourceType !== 'Bundle') {
      if (typeof bundle.resourceType !== 'string') {
        report(at, 'not a FHIR resource (no resourceType)');
        return;
      }
      alone[bundle.resourceType] = (alone[bundle.resourceType] || 0) + 1;
      resources++;
      const r = fhir.validate(bundle, { errorOnUnexpected: true });
      for (const m of r.messages)
        if (m.severity === 'error') report(`${at}: ${bundle.resourceType}/${bundle.id}`, `${m.location}: ${m.message}`);
      return;
    }
    bundles++;
    check(at, bundle);
  });
}
if (!bundles) {
  console.error('validate.js: no Bundle to validate');
  process.exit(1);
}
const others = Object.entries(alone).map(([t, n]) => `${n} ${t}`).join(', ');
console.log(`FHIR.js ${require('fhir/package.json').version}: ${bundles} Bundles` +
            (others ? ` and ${others} alone` : '') +
            `, ${resources} resources validated against FHIR R4, ${problems} problems`);
process.exit(problems ? 1 : 0);
