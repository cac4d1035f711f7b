package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// fakeSSM is SSM Parameter Store's GetParameter, for one SecureString parameter. It answers
// what the real one does, in its JSON protocol, and counts the reads.
type fakeSSM struct {
	*httptest.Server
	mu    sync.Mutex
	reads int
}

func newFakeSSM(t testing.TB, name, value string) *fakeSSM {
	t.Helper()
	f := &fakeSSM{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Name           string
			WithDecryption bool
		}
		if r.Header.Get("X-Amz-Target") != "AmazonSSM.GetParameter" ||
			!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") ||
			json.NewDecoder(r.Body).Decode(&in) != nil {
			http.Error(w, `{"__type":"ValidationException","message":"unexpected request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if in.Name != name {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"ParameterNotFound","message":"%s"}`, in.Name)
			return
		}
		f.mu.Lock()
		f.reads++
		f.mu.Unlock()
		v := value
		if !in.WithDecryption {
			v = "AQICAHencrypted"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
			"Name": name, "Type": "SecureString", "Value": v, "Version": 1,
			"ARN": "arn:aws:ssm:us-east-1:123456789012:parameter" + name,
		}})
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeSSM) Reads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}
