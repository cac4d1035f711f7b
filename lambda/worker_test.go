//go:build !authonly

package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"pause"
	"pause/app"
	"pause/bolt"
	"pause/ids"
	"pause/markdown"
	"pause/webhook"
)

// TestWorker: the worker function, invoked by the schedule, settles a scheduled publication
// that came due into article.published and delivers it to the endpoint that wants it, signed;
// invoked by the stream with nothing new, it delivers nothing again.
func TestWorker(t *testing.T) {
	data := filepath.Join(t.TempDir(), "pause.db")
	env := map[string]string{"PAUSE_STORE": "bolt", "PAUSE_DATA": data, "PAUSE_ENV": "development",
		"PAUSE_JWT_SECRET": strings.Repeat("w", 40), "PAUSE_LAMBDA_EVENT": "worker"}
	getenv := func(k string) string { return env[k] }

	var mu sync.Mutex
	var got []webhook.Payload
	var secret string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if err := webhook.Verify(secret, body, r.Header, false); err != nil {
			t.Errorf("signature: %v", err)
		}
		var p webhook.Payload
		_ = json.Unmarshal(body, &p)
		got = append(got, p)
	}))
	defer srv.Close()

	// The content, written by a CMS whose clock is two minutes behind: the publication it
	// schedules a minute from its now is due for the worker.
	db, err := bolt.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	cms := pause.NewCMS(pause.Config{Stores: db.Stores(), Markdown: markdown.New(), NewID: ids.New,
		Now: func() time.Time { return time.Now().Add(-2 * time.Minute) }})
	admin := pause.NewContext(context.Background(), &pause.Viewer{Subject: "root", Role: pause.RoleAdmin})
	title := "Due"
	a, err := cms.Articles.Create(admin, pause.ArticleInput{Title: &title, Author: &pause.Author{Name: "A"}})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	if _, err := cms.Articles.PublishAt(admin, a.ID, a.Version, &at); err != nil {
		t.Fatal(err)
	}
	hooks, err := app.FromEnv(getenv).Webhooks(cms)
	if err != nil {
		t.Fatal(err)
	}
	_, s, err := hooks.CreateEndpoint(admin, srv.URL+"/hook", "site", []string{"article.published"})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	secret = s
	mu.Unlock()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	h, err := newHandler(context.Background(), getenv, io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	worker, ok := h.(func(context.Context, json.RawMessage) (workerOutput, error))
	if !ok {
		t.Fatalf("PAUSE_LAMBDA_EVENT=worker gave a %T", h)
	}
	out, err := worker(context.Background(), json.RawMessage(`{"version":"0","source":"aws.events","detail-type":"Scheduled Event","detail":{}}`))
	if err != nil || out.Trigger != "schedule" || out.Settled != 1 || out.Delivered != 1 {
		t.Fatalf("schedule: %+v, %v", out, err)
	}
	out, err = worker(context.Background(), json.RawMessage(`{"Records":[{"eventName":"INSERT","dynamodb":{}}]}`))
	if err != nil || out.Trigger != "stream" || out.Records != 1 || out.Delivered != 0 {
		t.Fatalf("stream: %+v, %v", out, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Type != "article.published" || got[0].Data.ID != a.ID {
		t.Fatalf("the receiver got %+v", got)
	}
	if _, err := worker(context.Background(), json.RawMessage(`not json`)); err == nil {
		t.Fatal("a malformed event was accepted")
	}
}
