#!/usr/bin/env node
// jsonld2nq.js — print the N-Quads of a JSON-LD file, using jsonld.js (the reference processor).
//
// Usage: node tools/js/jsonld2nq.js FILE > out.nq
//
// Used by tests/test_crosscheck.py as an independent check of casegraph's JSON-LD export.
// Never touches the network: the document loader refuses every URL, so a remote @context
// (or any @import) is an error instead of a fetch. `safe: true` makes jsonld.js raise on
// lossy constructs (terms that would be dropped, invalid IRIs, ...) instead of ignoring them.
// On any error one line "ERROR <name>: <message>" goes to stderr and the exit status is 1.
'use strict';

const fs = require('fs');
const jsonld = require('jsonld');

function refuseAll(url) {
  const err = new Error(`refusing to load ${url}: jsonld2nq.js never fetches remote documents`);
  err.name = 'jsonld.LoadDocumentError';
  return Promise.reject(err);
}

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

async function main(argv) {
  if (argv.length !== 1) {
    throw new Error('usage: node jsonld2nq.js FILE');
  }
  const doc = JSON.parse(fs.readFileSync(argv[0], 'utf8'));
  const nquads = await jsonld.toRDF(doc, {
    format: 'application/n-quads',
    safe: true,
    documentLoader: refuseAll,
  });
  process.stdout.write(nquads);
}

main(process.argv.slice(2)).catch((e) => {
  let detail = e && e.message ? e.message : e;
  // jsonld.js wraps the root cause (e.g. a refused load) in e.details.cause.
  const cause = e && e.details && e.details.cause;
  if (cause && cause.message) {
    detail = `${detail} (cause: ${cause.message})`;
  }
  process.stderr.write(`ERROR ${oneLine(`${(e && e.name) || 'Error'}: ${detail}`)}\n`);
  process.exit(1);
});
