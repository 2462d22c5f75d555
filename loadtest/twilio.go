package loadtest

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/url"
	"sort"
)

// twilioSignature is the X-Twilio-Signature of a webhook POST of form to url: HMAC-SHA1,
// keyed with the auth token, of the URL followed by each parameter's name and value in
// name order, in base64 (twilio-go's RequestValidator checks it).
func twilioSignature(token, u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := []byte(u)
	for _, k := range keys {
		b = append(b, k...)
		b = append(b, form.Get(k)...)
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write(b)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
