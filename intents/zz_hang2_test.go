package intents

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestHangRandom(t *testing.T) {
	alphabet := []rune("aàlL·.'’-/:,0123456789 xXkqdßæŀ😀\u0301\u200dºñÑçÇİ")
	r := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 3000000; it++ {
		n := r.IntN(30)
		b := make([]rune, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		if r.IntN(10) == 0 {
			s += "\xff"
		}
		done := make(chan string)
		go func() { done <- Normalize(s) }()
		select {
		case got := <-done:
			if Normalize(got) != got {
				t.Fatalf("not idempotent %q → %q → %q", s, got, Normalize(got))
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("hang on %q", s)
		}
	}
}
