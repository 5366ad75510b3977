// The npm Perspective client (perspective-api-client), pointed at Steelman.
//
// The client hard-codes Google's address, so the only change a site makes is the one below: an
// axios interceptor that swaps https://commentanalyzer.googleapis.com for STEELMAN_URL.
// Usage: STEELMAN_URL=http://127.0.0.1:PORT node run.js '<JSON: [text, options]>' ...
// Prints one JSON line per call: {"ok": true, "response": ...} or {"ok": false, "error": ...}.
'use strict';
const axios = require('axios');
const Perspective = require('perspective-api-client');

const GOOGLE = 'https://commentanalyzer.googleapis.com';
axios.interceptors.request.use(config => {
  config.url = config.url.replace(GOOGLE, process.env.STEELMAN_URL);
  return config;
});

async function main() {
  const client = new Perspective({apiKey: 'not-a-google-key'});
  for (const arg of process.argv.slice(2)) {
    const [text, options] = JSON.parse(arg);
    try {
      const response = await client.analyze(text, options);
      console.log(JSON.stringify({ok: true, response}));
    } catch (error) {
      const status = error.response ? error.response.status : null;
      console.log(JSON.stringify({ok: false, error: error.message, name: error.name, status}));
    }
  }
}

main();
