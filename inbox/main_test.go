package inbox

import (
	"os"
	"testing"
)

// TestMain lowers the cost of argon2id: the tests log in hundreds of times.
func TestMain(m *testing.M) {
	argonParams.time, argonParams.memory, argonParams.threads = 1, 64, 1
	os.Exit(m.Run())
}
