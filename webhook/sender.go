// Package webhook sends Pause's webhooks: the events of the change feed, POSTed as JSON and
// signed by the Standard Webhooks specification (webhook-id, webhook-timestamp,
// webhook-signature) with the standard-webhooks library, to endpoints that the Guard allows.
// It implements pause.Sender and pause.Sealer, and Tick, the periodic work of the local server
// and of the worker function (scheduled changes, deliveries, pruning).
//
// It imports pause, the Standard Webhooks library and the standard library.
package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"pause"
)

// Timeout is how long a delivery may take, connection included.
const Timeout = 10 * time.Second

// Payload is the body of a webhook, as the Standard Webhooks specification suggests: the
// event's type, its time, and its data.
type Payload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      Data      `json:"data"`
}

// Data is what an event says: which item changed, to which version, by whom, and the event's
// id and generation (receivers may use the generation to ignore what they have seen).
type Data struct {
	EventID    string `json:"eventId"`
	Generation uint64 `json:"generation"`
	ItemType   string `json:"itemType"`
	ID         string `json:"id"`
	Slug       string `json:"slug,omitempty"`
	Version    int    `json:"version,omitempty"`
	Actor      string `json:"actor,omitempty"`
}

// PayloadOf returns the payload of the event.
func PayloadOf(e *pause.Event) Payload {
	return Payload{Type: e.Type, Timestamp: e.At.UTC(), Data: Data{EventID: e.ID, Generation: e.Generation,
		ItemType: e.ItemType, ID: e.ItemID, Slug: e.Slug, Version: e.Version, Actor: e.Actor}}
}

// Sender is pause.Sender over HTTP, through the Guard.
type Sender struct {
	guard  *Guard
	client *http.Client
	// Now is the clock of the webhook-timestamp header; time.Now when nil.
	Now func() time.Time
}

// NewSender returns a sender whose connections the guard checks. Its client follows no
// redirect, uses no proxy from the environment, and gives up after Timeout.
func NewSender(g *Guard) *Sender {
	t := &http.Transport{
		DialContext:           g.dial,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &Sender{guard: g, client: &http.Client{
		Transport: t,
		Timeout:   Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// CheckURL checks the URL with the guard.
func (s *Sender) CheckURL(ctx context.Context, raw string) error { return s.guard.CheckURL(ctx, raw) }

// NewSecret returns a new signing secret: whsec_ and 24 random bytes in base64.
func (s *Sender) NewSecret() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Send POSTs the event once. Only a 2xx answer is a success; a redirect is a failure (it is
// not followed).
func (s *Sender) Send(ctx context.Context, ep *pause.Endpoint, secret string, e *pause.Event) *pause.Delivery {
	start := s.now()
	d := &pause.Delivery{At: start.UTC()}
	fail := func(err error) *pause.Delivery {
		d.Error = err.Error()
		if errors.Is(err, errForbidden) {
			d.Error = "refused: " + err.Error()
		}
		return d
	}
	body, err := json.Marshal(PayloadOf(e))
	if err != nil {
		return fail(err)
	}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return fail(fmt.Errorf("the endpoint's secret: %w", err))
	}
	sig, err := wh.Sign(e.ID, start, body)
	if err != nil {
		return fail(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return fail(err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Pause-Webhooks/1")
	h.Set(standardwebhooks.HeaderWebhookID, e.ID)
	h.Set(standardwebhooks.HeaderWebhookTimestamp, fmt.Sprint(start.Unix()))
	h.Set(standardwebhooks.HeaderWebhookSignature, sig)
	resp, err := s.client.Do(req)
	d.Duration = time.Since(start)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	d.StatusCode = resp.StatusCode
	d.Succeeded = resp.StatusCode >= 200 && resp.StatusCode < 300
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		d.Error = "redirects are not followed"
	}
	return d
}

// Verify checks a delivery as a receiver does: the body and the headers against the secret,
// with the library's tolerance of five minutes on the timestamp unless ignoreTime.
func Verify(secret string, body []byte, h http.Header, ignoreTime bool) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return fmt.Errorf("the secret: %w", err)
	}
	if ignoreTime {
		return wh.VerifyIgnoringTimestamp(body, h)
	}
	return wh.Verify(body, h)
}
