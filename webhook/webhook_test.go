package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"pause"
	"pause/bolt"
	"pause/dynamo"
	"pause/dynamo/dynamotest"
	"pause/ids"
	"pause/markdown"
	"pause/webhook"
)

// clock is the tests' injected clock: nothing here sleeps to wait for a time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// env is a CMS with webhooks on one store, and a receiver on loopback.
type env struct {
	*testing.T
	clock    *clock
	stores   pause.Stores
	cms      *pause.CMS
	webhooks *pause.Webhooks
	tick     *webhook.Tick
	admin    context.Context
}

// eachStore runs the test on the embedded store and on DynamoDB Local.
func eachStore(t *testing.T, test func(e *env)) {
	t.Run("bolt", func(t *testing.T) {
		db, err := bolt.Open(filepath.Join(t.TempDir(), "pause.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		test(newEnv(t, db.Stores()))
	})
	t.Run("dynamodb", func(t *testing.T) {
		client, table := dynamotest.Table(t, "pause-webhook-")
		test(newEnv(t, dynamo.New(dynamo.Config{Client: client, Table: table}).Stores()))
	})
}

func newEnv(t *testing.T, stores pause.Stores) *env {
	c := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	cms := pause.NewCMS(pause.Config{Stores: stores, Markdown: markdown.New(), NewID: ids.New, Now: c.Now})
	sealer, err := webhook.NewSealer([]byte("a test secret of enough length"))
	if err != nil {
		t.Fatal(err)
	}
	sender := webhook.NewSender(&webhook.Guard{Development: true})
	sender.Now = c.Now
	w := pause.NewWebhooks(pause.WebhookConfig{Store: stores.Webhooks, Events: stores.Events, Sender: sender,
		Sealer: sealer, Types: pause.EventTypes(cms), Now: c.Now, NewID: ids.New})
	return &env{T: t, clock: c, stores: stores, cms: cms, webhooks: w,
		tick:  &webhook.Tick{CMS: cms, Webhooks: w, Events: stores.Events, Now: c.Now},
		admin: pause.NewContext(context.Background(), &pause.Viewer{Subject: "root", Role: pause.RoleAdmin})}
}

// run ticks once, as the server's timer or the worker does.
func (e *env) run() (settled, delivered int) {
	e.Helper()
	s, d, err := e.tick.Run(context.Background())
	if err != nil {
		e.Fatal(err)
	}
	return s, d
}

// receiver is a webhook receiver on loopback that verifies every request with the Standard
// Webhooks library and answers with the status that status returns.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string
	clock  *clock
	mu     sync.Mutex
	status func(n int) int // the status of the n-th request (1, 2, ...)
	got    []received      // every request
}

type received struct {
	id      string
	payload webhook.Payload
	status  int
}

func newReceiver(t *testing.T, c *clock, status func(n int) int) *receiver {
	r := &receiver{t: t, clock: c, status: status}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		secret := r.secret
		r.mu.Unlock()
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Errorf("receiver: %v", err)
		}
		// The timestamp is the injected clock's, months from the real one: the library's
		// tolerance is checked against the clock here, the signature by the library.
		if err := wh.VerifyIgnoringTimestamp(body, req.Header); err != nil {
			t.Errorf("receiver: the signature does not verify: %v", err)
		}
		if ts := req.Header.Get("webhook-timestamp"); ts != strconv.FormatInt(c.Now().Unix(), 10) {
			t.Errorf("receiver: webhook-timestamp %s, want the clock's %d", ts, c.Now().Unix())
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil {
			t.Errorf("receiver: %v: %s", err, body)
		}
		r.mu.Lock()
		n := len(r.got) + 1
		st := r.status(n)
		r.got = append(r.got, received{req.Header.Get("webhook-id"), p, st})
		r.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// accepted returns the event ids that the receiver answered 2xx, in order.
func (r *receiver) accepted() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, g := range r.got {
		if g.status < 300 {
			out = append(out, g.id)
		}
	}
	return out
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// endpoint creates an endpoint for the receiver.
func (e *env) endpoint(r *receiver, types ...string) *pause.Endpoint {
	e.Helper()
	ep, secret, err := e.webhooks.CreateEndpoint(e.admin, r.srv.URL+"/hook", "test receiver", types)
	if err != nil {
		e.Fatal(err)
	}
	r.mu.Lock()
	r.secret = secret
	r.mu.Unlock()
	return ep
}

func (e *env) article(title string) *pause.Article {
	e.Helper()
	a, err := e.cms.Articles.Create(e.admin, pause.ArticleInput{Title: &title, Author: &pause.Author{Name: "A"}})
	if err != nil {
		e.Fatal(err)
	}
	return a
}

// feed returns the ids of the events after the generation, in order.
func (e *env) feed(after uint64) []string {
	e.Helper()
	events, err := e.stores.Events.Events(context.Background(), after, 1000)
	if err != nil {
		e.Fatal(err)
	}
	var out []string
	for _, ev := range events {
		out = append(out, ev.ID)
	}
	return out
}

// TestRetriesThenOnce: a receiver that fails its first three attempts gets the event again,
// with the same webhook-id, after exponential waits, not before; then every event of every
// write is accepted once, in order of generation, and the deliveries say how each went.
func TestRetriesThenOnce(t *testing.T) {
	eachStore(t, func(e *env) {
		r := newReceiver(e.T, e.clock, func(n int) int {
			if n <= 3 {
				return http.StatusInternalServerError
			}
			return http.StatusNoContent
		})
		ep := e.endpoint(r)
		start, _ := e.stores.Events.Generation(context.Background())
		a := e.article("First")
		if _, err := e.cms.Articles.Publish(e.admin, a.ID, a.Version); err != nil {
			e.Fatal(err)
		}
		e.article("Second")

		waits := []time.Duration{}
		for attempt := 1; attempt <= 3; attempt++ {
			if _, d := e.run(); d != 0 || r.count() != attempt {
				e.Fatalf("attempt %d: %d delivered, %d requests", attempt, d, r.count())
			}
			// Not before its time: a tick now sends nothing.
			e.run()
			if r.count() != attempt {
				e.Fatalf("retried before the wait: %d requests", r.count())
			}
			got, err := e.webhooks.Endpoint(e.admin, ep.ID)
			if err != nil {
				e.Fatal(err)
			}
			wait := got.NextAttemptAt.Sub(e.clock.Now())
			lo, hi := pause.FirstRetry<<(attempt-1)/2, pause.FirstRetry<<(attempt-1)
			if got.Attempts != attempt || wait < lo || wait > hi {
				e.Fatalf("after failure %d: %d attempts, next in %v, want within [%v, %v]", attempt, got.Attempts, wait, lo, hi)
			}
			waits = append(waits, wait)
			e.clock.Advance(wait)
		}
		if _, d := e.run(); d != 3 {
			e.Fatalf("after recovery: %d delivered, want 3", d)
		}
		e.run()
		want := e.feed(start)
		if got := r.accepted(); !slices.Equal(got, want) {
			e.Fatalf("accepted %v, want every event once in order %v", got, want)
		}
		r.mu.Lock()
		for i := range 4 {
			if r.got[i].id != want[0] || r.got[i].payload.Type != "article.created" || r.got[i].payload.Data.ID != a.ID {
				e.Errorf("request %d: %s %+v", i+1, r.got[i].id, r.got[i].payload)
			}
		}
		r.mu.Unlock()
		ds, err := e.webhooks.Deliveries(e.admin, ep.ID, 10)
		if err != nil {
			e.Fatal(err)
		}
		var codes []int
		for _, d := range ds {
			codes = append(codes, d.StatusCode)
		}
		if !slices.Equal(codes, []int{204, 204, 204, 500, 500, 500}) || ds[3].Attempt != 3 || ds[2].Attempt != 4 || !ds[0].Succeeded {
			e.Fatalf("deliveries, newest first: %v", codes)
		}
		e.Logf("retried after %v", waits)
	})
}

// TestInOrderAfterOutage: a receiver that is down for hours gets, once it is back, every event
// it missed, each once, in order of generation; endpoints that do not want a type skip it.
func TestInOrderAfterOutage(t *testing.T) {
	eachStore(t, func(e *env) {
		var mu sync.Mutex
		down := true
		r := newReceiver(e.T, e.clock, func(int) int {
			mu.Lock()
			defer mu.Unlock()
			if down {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		})
		e.endpoint(r)
		only := newReceiver(e.T, e.clock, func(int) int { return http.StatusOK })
		e.endpoint(only, "article.published")
		start, _ := e.stores.Events.Generation(context.Background())
		published := 0
		for i := range 6 {
			a := e.article("Outage " + strconv.Itoa(i))
			if i%2 == 0 {
				if _, err := e.cms.Articles.Publish(e.admin, a.ID, a.Version); err != nil {
					e.Fatal(err)
				}
				published++
			}
			e.run()
			e.clock.Advance(10 * time.Minute)
		}
		for range 12 { // two hours of ticks, the receiver still down
			e.run()
			e.clock.Advance(10 * time.Minute)
		}
		if len(r.accepted()) != 0 {
			e.Fatalf("a receiver that is down accepted %v", r.accepted())
		}
		mu.Lock()
		down = false
		mu.Unlock()
		e.clock.Advance(pause.MaxRetry)
		e.run()
		if got, want := r.accepted(), e.feed(start); !slices.Equal(got, want) {
			e.Fatalf("after the outage: accepted\n  %v\nwant\n  %v", got, want)
		}
		var types []string
		for _, g := range only.got {
			types = append(types, g.payload.Type)
		}
		if len(types) != published || slices.ContainsFunc(types, func(s string) bool { return s != "article.published" }) {
			e.Fatalf("the endpoint for article.published got %v", types)
		}
	})
}

// TestDisabledAfterRetryWindow: an endpoint that fails for RetryWindow is disabled, the audit
// log says so, and nothing more is sent to it; enabled again, it gets what it missed.
func TestDisabledAfterRetryWindow(t *testing.T) {
	eachStore(t, func(e *env) {
		var mu sync.Mutex
		failing := true
		r := newReceiver(e.T, e.clock, func(int) int {
			mu.Lock()
			defer mu.Unlock()
			if failing {
				return http.StatusBadGateway
			}
			return http.StatusOK
		})
		ep := e.endpoint(r)
		e.article("Never delivered")
		began := e.clock.Now()
		for e.clock.Now().Sub(began) <= pause.RetryWindow+pause.MaxRetry {
			e.run()
			e.clock.Advance(5 * time.Minute)
		}
		got, err := e.webhooks.Endpoint(e.admin, ep.ID)
		if err != nil {
			e.Fatal(err)
		}
		if got.Enabled || got.DisabledAt == nil || got.DisabledAt.Sub(began) < pause.RetryWindow {
			e.Fatalf("after %v of failures: enabled %v, disabled at %v", pause.RetryWindow, got.Enabled, got.DisabledAt)
		}
		attempts := r.count()
		if attempts < 20 {
			e.Fatalf("only %d attempts in %v", attempts, pause.RetryWindow)
		}
		log, err := e.cms.AuditLog(e.admin, pause.Query[pause.AuditFilter]{Filter: pause.AuditFilter{ItemType: "webhook"}, First: 5})
		if err != nil {
			e.Fatal(err)
		}
		if len(log.Items) == 0 || log.Items[0].Action != "disableWebhook" || log.Items[0].ItemID != ep.ID || log.Items[0].Actor != "pause" {
			e.Fatalf("audit log: %+v", log.Items)
		}
		e.clock.Advance(pause.MaxRetry)
		e.run()
		if r.count() != attempts {
			e.Fatalf("a disabled endpoint got %d more requests", r.count()-attempts)
		}
		mu.Lock()
		failing = false
		mu.Unlock()
		if _, err := e.webhooks.UpdateEndpoint(e.admin, ep.ID, got.Version, pause.EndpointInput{Enabled: ptr(true)}); err != nil {
			e.Fatal(err)
		}
		if _, d := e.run(); d != 1 {
			e.Fatalf("enabled again: %d delivered", d)
		}
		e.Logf("disabled after %d attempts over %v", attempts, got.DisabledAt.Sub(began))
	})
}

// TestScheduledPublishOnce: a scheduled publication becomes article.published, delivered
// within a minute of its time by the timer's ticks (every webhook.Interval), exactly once.
func TestScheduledPublishOnce(t *testing.T) {
	eachStore(t, func(e *env) {
		r := newReceiver(e.T, e.clock, func(int) int { return http.StatusOK })
		e.endpoint(r, "article.published")
		a := e.article("Scheduled")
		at := e.clock.Now().Add(time.Hour).Add(7 * time.Second)
		if _, err := e.cms.Articles.PublishAt(e.admin, a.ID, a.Version, &at); err != nil {
			e.Fatal(err)
		}
		ticks := make(chan time.Time)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		reports := make(chan [2]int)
		go func() {
			defer close(done)
			e.tick.Loop(ctx, ticks, func(s, d int, err error) {
				if err != nil {
					e.Errorf("tick: %v", err)
				}
				reports <- [2]int{s, d}
			})
		}()
		<-reports
		var deliveredAt time.Time
		for e.clock.Now().Before(at.Add(3 * time.Minute)) {
			ticks <- e.clock.Advance(webhook.Interval)
			rep := <-reports
			if rep[1] > 0 && deliveredAt.IsZero() {
				deliveredAt = e.clock.Now()
			}
		}
		cancel()
		go func() {
			for range reports {
			}
		}()
		<-done
		if deliveredAt.IsZero() || deliveredAt.Sub(at) > time.Minute || deliveredAt.Before(at) {
			e.Fatalf("scheduled for %v, delivered at %v", at, deliveredAt)
		}
		if len(r.got) != 1 || r.got[0].payload.Type != "article.published" || r.got[0].payload.Data.ID != a.ID || r.got[0].payload.Data.Actor != "root" {
			e.Fatalf("the receiver got %+v, want one article.published", r.got)
		}
	})
}

// TestAdminOperations: the secret is shown once and kept sealed; a test event and a
// redelivery are sent at once and recorded; only admins manage endpoints; bad input is refused.
func TestAdminOperations(t *testing.T) {
	eachStore(t, func(e *env) {
		r := newReceiver(e.T, e.clock, func(int) int { return http.StatusOK })
		ep := e.endpoint(r)
		stored, err := e.stores.Webhooks.Endpoint(context.Background(), ep.ID)
		if err != nil {
			e.Fatal(err)
		}
		if stored.SealedSecret == r.secret || len(r.secret) < 30 || stored.SecretHint != r.secret[len(r.secret)-4:] {
			e.Fatalf("the secret is not sealed at rest: %q", stored.SealedSecret)
		}
		d, err := e.webhooks.SendTest(e.admin, ep.ID)
		if err != nil || !d.Succeeded || d.StatusCode != 200 || d.Kind != "test" || r.got[0].payload.Type != "webhook.test" {
			e.Fatalf("test event: %+v, %v", d, err)
		}
		a := e.article("Again")
		e.run()
		events := e.feed(0)
		last := events[len(events)-1]
		d, err = e.webhooks.Redeliver(e.admin, ep.ID, last)
		if err != nil || !d.Succeeded || d.Kind != "redelivery" || d.EventID != last {
			e.Fatalf("redeliver: %+v, %v", d, err)
		}
		if got := r.accepted(); len(got) != 3 || got[1] != last || got[2] != last || r.got[2].payload.Data.ID != a.ID {
			e.Fatalf("accepted %v", got)
		}
		_, err = e.webhooks.Redeliver(e.admin, ep.ID, "evt_999999")
		if pause.ErrorCode(err) != pause.ENOTFOUND {
			e.Fatalf("redeliver a missing event: %v", err)
		}
		editor := pause.NewContext(context.Background(), &pause.Viewer{Subject: "ed", Role: pause.RoleEditor})
		if _, _, err := e.webhooks.CreateEndpoint(editor, r.srv.URL, "", nil); pause.ErrorCode(err) != pause.EFORBIDDEN {
			e.Fatalf("an editor creates an endpoint: %v", err)
		}
		if _, _, err := e.webhooks.CreateEndpoint(e.admin, r.srv.URL, "", []string{"article.exploded"}); pause.ErrorField(err) != "eventTypes" {
			e.Fatalf("an unknown event type: %v", err)
		}
		if _, err := e.webhooks.UpdateEndpoint(e.admin, ep.ID, ep.Version+5, pause.EndpointInput{Enabled: ptr(false)}); pause.ErrorCode(err) != pause.ECONFLICT {
			e.Fatalf("a stale version: %v", err)
		}
		if err := e.webhooks.DeleteEndpoint(e.admin, ep.ID); err != nil {
			e.Fatal(err)
		}
		if _, err := e.webhooks.Endpoint(e.admin, ep.ID); pause.ErrorCode(err) != pause.ENOTFOUND {
			e.Fatalf("deleted endpoint: %v", err)
		}
	})
}

func ptr[V any](v V) *V { return &v }
