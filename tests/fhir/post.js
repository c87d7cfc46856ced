// post.js — what `triage serve` writes over FHIR, collected for validate.js:
// each body is POSTed to BASE/fhir and its answer (a Bundle, or an
// OperationOutcome for bad input) written one a line to OUT; for each Task
// answered from a whole file, GET BASE/fhir/Task/ID and the ServiceRequest
// it focuses on are written too (reads give the answer's own resources, so
// the corpus is only POSTed), and GET BASE/fhir/metadata last. A body is a
// whole file, or each line of a .ndjson/.jsonl file. Exits 1 when the server answers with a
// status other than 200, 201, 404, 409 or 422, or not as application/fhir+json.
// Usage: node post.js BASE OUT.ndjson FILE...
'use strict';
const fs = require('fs');

const [base, out, ...files] = process.argv.slice(2);
if (!base || !out || !files.length) {
  console.error('usage: node post.js BASE OUT.ndjson FILE...');
  process.exit(2);
}
const sink = fs.openSync(out, 'w');
const counts = {};
let bad = 0;

async function call(method, path, body) {
  const r = await fetch(base + path, {
    method, body,
    headers: body ? { 'Content-Type': 'application/fhir+json' } : {},
  });
  const text = await r.text();
  counts[r.status] = (counts[r.status] || 0) + 1;
  const type = r.headers.get('content-type') || '';
  if (![200, 201, 404, 409, 422].includes(r.status) || !type.startsWith('application/fhir+json')) {
    bad++;
    console.error(`${method} ${path}: ${r.status} ${type}: ${text.slice(0, 200)}`);
  }
  fs.writeSync(sink, text.trim() + '\n');
  return JSON.parse(text);
}

async function main() {
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const lines = /\.(ndjson|jsonl)$/.test(file);
    const bodies = lines ? text.split('\n').filter(l => l.trim()) : [text];
    for (const body of bodies) {
      const answer = await call('POST', '/fhir', body);
      if (lines) continue;
      const entries = answer.entry || [];
      const task = entries.map(e => e.resource).find(r => r && r.resourceType === 'Task');
      if (!task) continue;
      await call('GET', `/fhir/Task/${task.id}`);
      const focus = entries.find(e => task.focus && e.fullUrl === task.focus.reference);
      if (focus) await call('GET', `/fhir/ServiceRequest/${focus.resource.id}`);
    }
  }
  await call('GET', '/fhir/metadata');
  fs.closeSync(sink);
  console.log(`post.js: ${Object.entries(counts).map(([s, n]) => `${n}× ${s}`).join(', ')}`);
  process.exit(bad ? 1 : 0);
}
main().catch(e => { console.error(e); process.exit(1); });
