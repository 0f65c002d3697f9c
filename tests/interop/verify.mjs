// Verify credentials with Digital Bazaar's reference stack, with the libraries' defaults.
//
// Usage: node verify.mjs INPUT.json
// INPUT: {"contexts": {url: file}, "documents": {url: file}, "credentials": {name: file}}
//   contexts   JSON-LD contexts (our vendored copies)
//   documents  the issuer profile and status list credentials, as the running app served them
// Output (stdout): {name: {"verified": bool, "errors": [..], "status": [bool, ...]}}
//
// The document loader answers only from those files: nothing is fetched. A verification method
// id (profile#key) is answered with the key's node from the profile, as a DID resolver would.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const require = createRequire(import.meta.url);
// The security v2 context jsonld-signatures frames controller documents with, from its own package.
const securityContext = require('@digitalbazaar/security-context');

const readJson = file => JSON.parse(readFileSync(file, 'utf8'));
const input = readJson(process.argv[2]);

const served = new Map();
for(const [url, file] of Object.entries(input.contexts)) {
  served.set(url, readJson(file));
}
for(const [url, context] of securityContext.contexts) {
  served.set(url, context);
}
for(const [url, file] of Object.entries(input.documents)) {
  served.set(url, readJson(file));
}

function findNode(document, id) {
  for(const method of [].concat(document.verificationMethod || [])) {
    if(typeof method === 'object' && method.id === id) {
      return method;
    }
  }
  return null;
}

async function documentLoader(url) {
  if(served.has(url)) {
    return {contextUrl: null, documentUrl: url, document: served.get(url)};
  }
  const [base] = url.split('#');
  if(base !== url && served.has(base)) {
    const node = findNode(served.get(base), url);
    if(node) {
      return {contextUrl: null, documentUrl: url, document: node};
    }
  }
  throw new Error(`not served offline: ${url}`);
}

function messages(error) {
  if(!error) {
    return [];
  }
  const list = Array.isArray(error) ? error : [error];
  const out = [];
  for(const item of list) {
    if(item.errors) {
      out.push(...messages(item.errors));
    } else {
      out.push(String(item.message || item));
    }
  }
  return out;
}

const results = {};
for(const [name, file] of Object.entries(input.credentials)) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  let result;
  try {
    result = await vc.verifyCredential({
      credential: readJson(file), suite, documentLoader, checkStatus
    });
  } catch(error) {
    result = {verified: false, error};
  }
  const errors = messages(result.error);
  for(const proof of result.results || []) {
    errors.push(...messages(proof.error));
  }
  if(result.statusResult && result.statusResult.error) {
    errors.push(...messages(result.statusResult.error));
  }
  const status = ((result.statusResult || {}).results || []).map(r => r.status);
  results[name] = {verified: result.verified === true, errors: [...new Set(errors)], status};
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
