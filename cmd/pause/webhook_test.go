package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/webhook"
)

// capture sends the event as Pause does, at the time, to a receiver that writes the request it
// got to a file, as a captured delivery; it returns the file and the secret.
func capture(t *testing.T, at time.Time) (string, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "delivery.http")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dump, err := httputil.DumpRequest(r, true)
		if err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(file, dump, 0o600); err != nil {
			t.Error(err)
		}
	}))
	defer srv.Close()
	s := webhook.NewSender(&webhook.Guard{Development: true})
	s.Now = func() time.Time { return at }
	secret, err := s.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	d := s.Send(context.Background(), &pause.Endpoint{URL: srv.URL}, secret, &pause.Event{ID: "evt_42", Type: "article.published",
		ItemType: "article", ItemID: "01HX", Slug: "hello", Version: 3, Actor: "alice", At: at, Generation: 42})
	if !d.Succeeded {
		t.Fatalf("capture: %+v", d)
	}
	return file, secret
}

func TestWebhookVerify(t *testing.T) {
	file, secret := capture(t, time.Now())
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return map[string]string{"PAUSE_WEBHOOK_SECRET": secret}[k] }
	if err := run(context.Background(), []string{"webhook", "verify", file}, getenv, &out, &errOut); err != nil {
		t.Fatalf("a genuine delivery: %v %s", err, errOut.String())
	}
	if got := out.String(); !strings.Contains(got, "valid: article.published evt_42 (generation 42) article 01HX") {
		t.Fatalf("output %q", got)
	}

	// Another secret, or a body changed by one byte: invalid.
	other, _ := webhook.NewSender(&webhook.Guard{}).NewSecret()
	err := run(context.Background(), []string{"webhook", "verify", "--secret", other, file}, getenv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "INVALID") {
		t.Fatalf("another secret: %v", err)
	}
	data, _ := os.ReadFile(file)
	tampered := filepath.Join(t.TempDir(), "tampered.http")
	_ = os.WriteFile(tampered, bytes.Replace(data, []byte(`"version":3`), []byte(`"version":4`), 1), 0o600)
	if err := run(context.Background(), []string{"webhook", "verify", tampered}, getenv, &out, &errOut); err == nil {
		t.Fatal("a tampered body verified")
	}

	// An old capture: refused for its timestamp, unless --ignore-time.
	old, oldSecret := capture(t, time.Now().Add(-time.Hour))
	getenv = func(k string) string { return map[string]string{"PAUSE_WEBHOOK_SECRET": oldSecret}[k] }
	err = run(context.Background(), []string{"webhook", "verify", old}, getenv, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--ignore-time") {
		t.Fatalf("an old capture: %v", err)
	}
	if err := run(context.Background(), []string{"webhook", "verify", "--ignore-time", old}, getenv, &out, &errOut); err != nil {
		t.Fatalf("an old capture, --ignore-time: %v", err)
	}
	if err := run(context.Background(), []string{"webhook", "verify", "--secret", "", old}, func(string) string { return "" }, &out, &errOut); err == nil {
		t.Fatal("no secret")
	}
}
