package pause

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Webhooks tell other systems (a site's build hook, a cache to purge) that content changed:
// every event of the change feed (Event) is POSTed, signed by the Standard Webhooks
// specification, to each enabled endpoint that wants its type, at least once and in order of
// generation. An endpoint that fails is retried with exponential backoff and jitter; after
// RetryWindow of failures it is disabled, and the audit log says so. Admins manage endpoints
// through the API.

// Endpoint is where webhooks go.
type Endpoint struct {
	ID          string
	URL         string
	Description string
	// EventTypes are the event types it receives (article.published); none: every type.
	EventTypes []string
	Enabled    bool
	// SealedSecret is the signing secret (whsec_…), sealed by the Sealer: the API shows the
	// secret once, when the endpoint is created, and never again. SecretHint is its end.
	SealedSecret string
	SecretHint   string
	CreatedAt    time.Time
	CreatedBy    string
	UpdatedAt    time.Time
	// DisabledAt and DisabledReason say when and why it was disabled (by an admin, or after
	// failing for RetryWindow).
	DisabledAt     *time.Time
	DisabledReason string

	// Cursor is the generation of the last event that the endpoint is done with (delivered, or
	// not of a type it wants): the next delivery is of the first event after it.
	Cursor uint64
	// Attempts counts the failed attempts at the event after Cursor, since FailingSince;
	// NextAttemptAt is when it is tried again.
	Attempts      int
	FailingSince  *time.Time
	NextAttemptAt *time.Time
	// Version starts at 1 and grows by one with every write.
	Version int
}

// Wants reports whether the endpoint receives events of the type.
func (ep *Endpoint) Wants(eventType string) bool {
	return len(ep.EventTypes) == 0 || slices.Contains(ep.EventTypes, eventType)
}

// Delivery is one attempt to deliver an event to an endpoint.
type Delivery struct {
	ID         string
	EndpointID string
	EventID    string
	EventType  string
	Generation uint64
	// Kind is event (the feed's delivery), redelivery (asked by an admin) or test.
	Kind    string
	Attempt int
	At      time.Time
	// Succeeded is true for a 2xx answer. StatusCode is the answer's status, 0 if there was
	// none; Error says why it failed, for the admin (a refused address, a timeout).
	Succeeded  bool
	StatusCode int
	Error      string
	Duration   time.Duration
}

// WebhookStore keeps the endpoints and their recent deliveries.
type WebhookStore interface {
	// CreateEndpoint stores a new endpoint (Version 1), and the audit entry in the same atomic
	// write. ECONFLICT if the id exists.
	CreateEndpoint(ctx context.Context, ep *Endpoint, audit *AuditEntry) error
	// Endpoint returns the endpoint with the id, or ENOTFOUND.
	Endpoint(ctx context.Context, id string) (*Endpoint, error)
	// Endpoints returns every endpoint, by id.
	Endpoints(ctx context.Context) ([]*Endpoint, error)
	// UpdateEndpoint replaces the endpoint if the stored one is at ep.Version-1 (ECONFLICT if
	// not, ENOTFOUND if there is none), and records the audit entry, if not nil, in the same
	// atomic write.
	UpdateEndpoint(ctx context.Context, ep *Endpoint, audit *AuditEntry) error
	// DeleteEndpoint deletes the endpoint and its deliveries (ENOTFOUND if there is none),
	// and records the audit entry in the same atomic write.
	DeleteEndpoint(ctx context.Context, id string, audit *AuditEntry) error
	// AddDelivery records a delivery. Stores may drop an endpoint's deliveries beyond its
	// last MaxDeliveries, and those older than DeliveryRetention.
	AddDelivery(ctx context.Context, d *Delivery) error
	// Deliveries returns up to first of the endpoint's deliveries, newest first.
	Deliveries(ctx context.Context, endpointID string, first int) ([]*Delivery, error)
}

// Deliveries kept: see WebhookStore.AddDelivery.
const (
	MaxDeliveries     = 100
	DeliveryRetention = 30 * 24 * time.Hour
)

// Sender sends webhooks over HTTP.
type Sender interface {
	// CheckURL returns EINVALID (field "url") if the URL may not be an endpoint: see the
	// webhook package for the rules (https only, no private, loopback, link-local or
	// unspecified address after DNS resolution).
	CheckURL(ctx context.Context, rawURL string) error
	// Send POSTs the event to the endpoint, signed with the secret, once, following no
	// redirect, and reports how it went (ID, EndpointID, Kind and Attempt are the caller's).
	Send(ctx context.Context, ep *Endpoint, secret string, e *Event) *Delivery
	// NewSecret returns a new signing secret (whsec_ and 24 random bytes in base64).
	NewSecret() (string, error)
}

// Sealer keeps secrets sealed at rest: the webhooks' signing secrets, which must be read
// back to sign (unlike API keys, which are only compared, and so hashed).
type Sealer interface {
	Seal(plain string) (string, error)
	Open(sealed string) (string, error)
}

// Retries.
const (
	// RetryWindow is how long an endpoint is retried after its first failure before it is
	// disabled.
	RetryWindow = 24 * time.Hour
	// FirstRetry and MaxRetry bound the wait before a retry: FirstRetry doubled with every
	// failure, up to MaxRetry, of which a random half or more (jitter).
	FirstRetry = 10 * time.Second
	MaxRetry   = time.Hour
)

// RetryDelay returns the wait after the attempt-th failure (1, 2, ...): exponential, with
// jitter in [d/2, d] so that endpoints that failed together are not retried together.
func RetryDelay(attempt int) time.Duration {
	d := MaxRetry
	if attempt < 20 {
		d = min(FirstRetry<<(attempt-1), MaxRetry)
	}
	return (d/2 + time.Duration(rand.Int64N(int64(d/2)+1))).Truncate(time.Microsecond)
}

// WebhookConfig is what Webhooks need.
type WebhookConfig struct {
	Store  WebhookStore
	Events EventStore
	Sender Sender
	Sealer Sealer
	// Types are the event types endpoints may ask for (EventTypes of the CMS).
	Types []string
	Now   func() time.Time
	NewID func() string
}

// Webhooks is the webhook service: the admins' endpoints, and the delivery of the change feed
// to them (Dispatch).
type Webhooks struct{ cfg WebhookConfig }

// NewWebhooks returns the service.
func NewWebhooks(cfg WebhookConfig) *Webhooks {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Webhooks{cfg: cfg}
}

func (w *Webhooks) now() time.Time { return w.cfg.Now().UTC().Truncate(time.Microsecond) }

// EndpointInput is an admin's change to an endpoint: nil fields stay as they are.
type EndpointInput struct {
	URL         *string
	Description *string
	EventTypes  []string // nil: unchanged; empty: every type
	Enabled     *bool
}

// Limits of endpoints.
const (
	MaxEndpoints           = 20
	MaxEndpointDescription = 500
)

func (w *Webhooks) checkInput(ctx context.Context, in EndpointInput) error {
	if in.URL != nil {
		if len(*in.URL) > MaxURL {
			return FieldErrorf("url", "url is longer than %d characters", MaxURL)
		}
		if err := w.cfg.Sender.CheckURL(ctx, *in.URL); err != nil {
			return err
		}
	}
	if in.Description != nil && len([]rune(*in.Description)) > MaxEndpointDescription {
		return FieldErrorf("description", "description is longer than %d characters", MaxEndpointDescription)
	}
	for _, t := range in.EventTypes {
		if !slices.Contains(w.cfg.Types, t) {
			return FieldErrorf("eventTypes", "%q is not an event type: use one of %s", t, strings.Join(w.cfg.Types, ", "))
		}
	}
	return nil
}

func endpointAudit(action string, ep *Endpoint, at time.Time, by string, fields ...string) *AuditEntry {
	if fields == nil {
		fields = []string{}
	}
	return &AuditEntry{At: at, Actor: by, Action: action, ItemType: "webhook", ItemID: ep.ID, Version: ep.Version, Fields: fields}
}

// CreateEndpoint adds an enabled endpoint that receives the events written from now on, and
// returns it with its signing secret, which is shown this once. Admins only.
func (w *Webhooks) CreateEndpoint(ctx context.Context, rawURL, description string, eventTypes []string) (*Endpoint, string, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, "", err
	}
	in := EndpointInput{URL: &rawURL, Description: &description, EventTypes: eventTypes}
	if err := w.checkInput(ctx, in); err != nil {
		return nil, "", err
	}
	all, err := w.cfg.Store.Endpoints(ctx)
	if err != nil {
		return nil, "", err
	}
	if len(all) >= MaxEndpoints {
		return nil, "", Errorf(EINVALID, "There are %d endpoints already, the most there may be.", MaxEndpoints)
	}
	gen, err := w.cfg.Events.Generation(ctx)
	if err != nil {
		return nil, "", err
	}
	secret, err := w.cfg.Sender.NewSecret()
	if err != nil {
		return nil, "", err
	}
	sealed, err := w.cfg.Sealer.Seal(secret)
	if err != nil {
		return nil, "", err
	}
	now, who := w.now(), ViewerFrom(ctx).Subject
	ep := &Endpoint{ID: w.cfg.NewID(), URL: rawURL, Description: description, EventTypes: normalTypes(eventTypes),
		Enabled: true, SealedSecret: sealed, SecretHint: secret[len(secret)-4:], CreatedAt: now, CreatedBy: who,
		UpdatedAt: now, Cursor: gen, Version: 1}
	if err := w.cfg.Store.CreateEndpoint(ctx, ep, endpointAudit("createWebhook", ep, now, who)); err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

func normalTypes(ts []string) []string {
	out := slices.Clone(ts)
	slices.Sort(out)
	return slices.Compact(out)
}

// EventTypes returns the event types endpoints may ask for. Admins only.
func (w *Webhooks) EventTypes(ctx context.Context) ([]string, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	return w.cfg.Types, nil
}

// Endpoints returns every endpoint. Admins only.
func (w *Webhooks) Endpoints(ctx context.Context) ([]*Endpoint, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	return w.cfg.Store.Endpoints(ctx)
}

// Endpoint returns the endpoint with the id. Admins only.
func (w *Webhooks) Endpoint(ctx context.Context, id string) (*Endpoint, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	return w.cfg.Store.Endpoint(ctx, id)
}

// UpdateEndpoint changes the endpoint at version. Enabling an endpoint that was disabled
// starts its retries afresh, from the event it had not delivered: it gets what it missed, in
// order (those older than the feed keeps, EventRetention, are gone). Admins only.
func (w *Webhooks) UpdateEndpoint(ctx context.Context, id string, version int, in EndpointInput) (*Endpoint, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	if err := w.checkInput(ctx, in); err != nil {
		return nil, err
	}
	ep, err := w.cfg.Store.Endpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if ep.Version != version {
		return nil, Errorf(ECONFLICT, "This endpoint changed since version %d (it is at version %d): reload it and apply your change again.", version, ep.Version)
	}
	now, who := w.now(), ViewerFrom(ctx).Subject
	var fields []string
	if in.URL != nil && *in.URL != ep.URL {
		ep.URL, fields = *in.URL, append(fields, "url")
	}
	if in.Description != nil && *in.Description != ep.Description {
		ep.Description, fields = *in.Description, append(fields, "description")
	}
	if in.EventTypes != nil && !slices.Equal(normalTypes(in.EventTypes), ep.EventTypes) {
		ep.EventTypes, fields = normalTypes(in.EventTypes), append(fields, "eventTypes")
	}
	if in.Enabled != nil && *in.Enabled != ep.Enabled {
		ep.Enabled, fields = *in.Enabled, append(fields, "enabled")
		ep.Attempts, ep.FailingSince, ep.NextAttemptAt = 0, nil, nil
		if ep.Enabled {
			ep.DisabledAt, ep.DisabledReason = nil, ""
		} else {
			ep.DisabledAt, ep.DisabledReason = &now, "Disabled by "+who+"."
		}
	}
	if len(fields) == 0 {
		return ep, nil
	}
	ep.UpdatedAt, ep.Version = now, ep.Version+1
	if err := w.cfg.Store.UpdateEndpoint(ctx, ep, endpointAudit("updateWebhook", ep, now, who, fields...)); err != nil {
		return nil, err
	}
	return ep, nil
}

// DeleteEndpoint deletes the endpoint and its deliveries. Admins only.
func (w *Webhooks) DeleteEndpoint(ctx context.Context, id string) error {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return err
	}
	ep, err := w.cfg.Store.Endpoint(ctx, id)
	if err != nil {
		return err
	}
	return w.cfg.Store.DeleteEndpoint(ctx, id, endpointAudit("deleteWebhook", ep, w.now(), ViewerFrom(ctx).Subject))
}

// Deliveries returns the endpoint's recent deliveries, newest first. Admins only.
func (w *Webhooks) Deliveries(ctx context.Context, endpointID string, first int) ([]*Delivery, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	if first < 0 || first > MaxDeliveries {
		return nil, FieldErrorf("first", "first must be between 0 and %d", MaxDeliveries)
	}
	return w.cfg.Store.Deliveries(ctx, endpointID, first)
}

// Redeliver sends the event with the id to the endpoint again, now, whatever its state, and
// records the delivery; the endpoint's own progress does not change. Admins only.
func (w *Webhooks) Redeliver(ctx context.Context, endpointID, eventID string) (*Delivery, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	ep, err := w.cfg.Store.Endpoint(ctx, endpointID)
	if err != nil {
		return nil, err
	}
	var gen uint64
	if _, err := fmt.Sscanf(eventID, "evt_%d", &gen); err != nil || EventID(gen) != eventID {
		return nil, FieldErrorf("eventId", "%q is not an event id", eventID)
	}
	events, err := w.cfg.Events.Events(ctx, gen-1, 1)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 || events[0].Generation != gen {
		return nil, Errorf(ENOTFOUND, "No event has id %s (events are kept %d days).", eventID, int(EventRetention.Hours()/24))
	}
	return w.send(ctx, ep, events[0], "redelivery", 1)
}

// SendTest sends a webhook.test event to the endpoint, now, and records the delivery. Admins
// only.
func (w *Webhooks) SendTest(ctx context.Context, endpointID string) (*Delivery, error) {
	if err := ViewerFrom(ctx).Require(RoleAdmin); err != nil {
		return nil, err
	}
	ep, err := w.cfg.Store.Endpoint(ctx, endpointID)
	if err != nil {
		return nil, err
	}
	e := &Event{ID: "evt_test_" + w.cfg.NewID(), Type: "webhook.test", ItemType: "webhook", ItemID: ep.ID,
		Actor: ViewerFrom(ctx).Subject, At: w.now()}
	return w.send(ctx, ep, e, "test", 1)
}

// send sends the event once and records the delivery.
func (w *Webhooks) send(ctx context.Context, ep *Endpoint, e *Event, kind string, attempt int) (*Delivery, error) {
	secret, err := w.cfg.Sealer.Open(ep.SealedSecret)
	if err != nil {
		return nil, fmt.Errorf("open the secret of endpoint %s: %w", ep.ID, err)
	}
	d := w.cfg.Sender.Send(ctx, ep, secret, e)
	d.ID, d.EndpointID, d.Kind, d.Attempt = w.cfg.NewID(), ep.ID, kind, attempt
	d.EventID, d.EventType, d.Generation = e.ID, e.Type, e.Generation
	if d.At.IsZero() {
		d.At = w.now()
	}
	if err := w.cfg.Store.AddDelivery(ctx, d); err != nil {
		return nil, err
	}
	return d, nil
}

// dispatchBatch is how many events one Dispatch reads for an endpoint at a time.
const dispatchBatch = 100

// Dispatch delivers to every enabled endpoint whose retry is due the events it has not had,
// in order of generation, and returns how many deliveries succeeded. An endpoint stops at its
// first failure: that event is retried after RetryDelay, and the events after it wait, so that
// a receiver gets them in order. The endpoint's progress is saved after each event, so a
// crash repeats one delivery at most (at least once). Two dispatchers at once (the stream and
// the schedule on AWS) may send an event twice, never skip one: progress is saved on the
// endpoint's version.
func (w *Webhooks) Dispatch(ctx context.Context) (int, error) {
	eps, err := w.cfg.Store.Endpoints(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, ep := range eps {
		n, err := w.dispatchTo(ctx, ep)
		sent += n
		if err != nil {
			errs = append(errs, fmt.Errorf("endpoint %s: %w", ep.ID, err))
		}
	}
	if len(errs) > 0 {
		return sent, fmt.Errorf("dispatch: %v", errs)
	}
	return sent, nil
}

func (w *Webhooks) dispatchTo(ctx context.Context, ep *Endpoint) (int, error) {
	if !ep.Enabled || ep.NextAttemptAt != nil && w.now().Before(*ep.NextAttemptAt) {
		return 0, nil
	}
	sent := 0
	for {
		events, err := w.cfg.Events.Events(ctx, ep.Cursor, dispatchBatch)
		if err != nil || len(events) == 0 {
			return sent, err
		}
		skipped := false
		for _, e := range events {
			if !ep.Wants(e.Type) {
				ep.Cursor, skipped = e.Generation, true
				continue
			}
			d, err := w.send(ctx, ep, e, "event", ep.Attempts+1)
			if err != nil {
				return sent, err
			}
			now := w.now()
			var audit *AuditEntry
			if d.Succeeded {
				sent++
				ep.Cursor, ep.Attempts, ep.FailingSince, ep.NextAttemptAt = e.Generation, 0, nil, nil
			} else {
				ep.Attempts++
				if ep.FailingSince == nil {
					ep.FailingSince = &now
				}
				if now.Sub(*ep.FailingSince) >= RetryWindow {
					ep.Enabled, ep.DisabledAt, ep.NextAttemptAt = false, &now, nil
					ep.DisabledReason = fmt.Sprintf("Disabled after failing for %s (%d attempts): %s", RetryWindow, ep.Attempts, failure(d))
					audit = endpointAudit("disableWebhook", ep, now, "pause", "enabled")
				} else {
					next := now.Add(RetryDelay(ep.Attempts))
					ep.NextAttemptAt = &next
				}
			}
			ep.Version++
			if audit != nil {
				audit.Version = ep.Version
			}
			if err := w.cfg.Store.UpdateEndpoint(ctx, ep, audit); err != nil {
				if ErrorCode(err) == ECONFLICT || ErrorCode(err) == ENOTFOUND {
					return sent, nil // an admin or another dispatcher changed it: theirs stands
				}
				return sent, err
			}
			skipped = false
			if !d.Succeeded {
				return sent, nil
			}
		}
		if skipped {
			ep.Version++
			if err := w.cfg.Store.UpdateEndpoint(ctx, ep, nil); err != nil {
				if ErrorCode(err) == ECONFLICT || ErrorCode(err) == ENOTFOUND {
					return sent, nil
				}
				return sent, err
			}
		}
		if len(events) < dispatchBatch {
			return sent, nil
		}
	}
}

func failure(d *Delivery) string {
	if d.Error != "" {
		return d.Error
	}
	return fmt.Sprintf("HTTP %d", d.StatusCode)
}
