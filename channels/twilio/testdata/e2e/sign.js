// sign.js prints the X-Twilio-Signature of webhook requests, computed by the official
// twilio package (twilio.getExpectedTwilioSignature), an implementation independent of
// twilio-go's. Input on stdin: {"authToken": "...", "requests": [{"url": "...",
// "params": {"From": "...", ...}}, ...]}. Output on stdout: a JSON array of signatures,
// in the order of the requests.
'use strict';

const twilio = require('twilio');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { authToken, requests } = JSON.parse(input);
  const sigs = requests.map((r) => twilio.getExpectedTwilioSignature(authToken, r.url, r.params));
  process.stdout.write(JSON.stringify(sigs) + '\n');
});
