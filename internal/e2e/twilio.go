package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// twilioDir holds sign.js and the npm package twilio it needs.
func twilioDir() string { return filepath.Join(moduleRoot(), "channels", "sms", "testdata", "e2e") }

// TwilioSigner returns node when it and the npm package twilio (installed by `npm ci` in
// channels/sms/testdata/e2e) are there, or the reason they are not.
func TwilioSigner() (node string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(twilioDir(), "node_modules", "twilio")); err != nil {
		return "", errors.New("npm package twilio missing: run `npm ci --no-audit --no-fund` in channels/sms/testdata/e2e")
	}
	return node, nil
}

// SignTwilio returns the X-Twilio-Signature of each form posted to u, computed by the
// official npm package twilio (an implementation independent of twilio-go's).
func SignTwilio(t testing.TB, node, token, u string, forms []url.Values) []string {
	t.Helper()
	type request struct {
		URL    string            `json:"url"`
		Params map[string]string `json:"params"`
	}
	in := struct {
		AuthToken string    `json:"authToken"`
		Requests  []request `json:"requests"`
	}{AuthToken: token}
	for _, f := range forms {
		p := map[string]string{}
		for k, v := range f {
			p[k] = v[0]
		}
		in.Requests = append(in.Requests, request{u, p})
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "sign.js")
	cmd.Dir = twilioDir()
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node sign.js: %v\n%s", err, stderr.String())
	}
	var sigs []string
	if err := json.Unmarshal(out, &sigs); err != nil || len(sigs) != len(forms) {
		t.Fatalf("node sign.js printed %q: %v", out, err)
	}
	return sigs
}
