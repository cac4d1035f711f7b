package pause

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// TestCursorJSON: the cursor's JSON is byte for byte json.Marshal's, so cursors do not change.
func TestCursorJSON(t *testing.T) {
	keys := []string{"", "loom\x00id", "a\"b\\c", "<tag>&amp;", "line\nbreak\ttab\r\x01\x1f", "é ü 日本 \u2028 \u2029 😀",
		"bad \xff utf-8", "2026-01-02T03:04:05.000000000Z\x0001J0000000000000000000000"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
			if r.IntN(3) > 0 {
				const some = " aZ<>&\"\\\x00\n\x7f"
				b[i] = some[r.IntN(len(some))]
			}
		}
		keys = append(keys, string(b), string([]rune(string(b))))
	}
	for _, k := range keys {
		for _, o := range []Order{OrderName, OrderPublishedAt, "X\"<"} {
			want, _ := json.Marshal(cursor{Order: o, Key: k})
			if got := appendCursorJSON(nil, o, k); string(got) != string(want) {
				t.Fatalf("%q %q: %s, want %s", o, k, got, want)
			}
		}
	}
}

func BenchmarkEncodeCursor(b *testing.B) {
	for b.Loop() {
		EncodeCursor(OrderName, "bench tool 042\x0001J0000000000000000000000")
	}
}
