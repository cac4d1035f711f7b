package app

import (
	"context"
	"log/slog"
	"time"

	"pause"
	"pause/ids"
	"pause/webhook"
)

// Webhooks returns the webhook service over the CMS's stores: signing secrets sealed under a
// key derived from the JWT secret, and endpoint URLs checked by webhook.Guard (loopback and
// plain http to it allowed in development only).
func (c Config) Webhooks(cms *pause.CMS) (*pause.Webhooks, error) {
	secret, err := c.Secret()
	if err != nil {
		return nil, err
	}
	sealer, err := webhook.NewSealer(secret)
	if err != nil {
		return nil, err
	}
	stores := cms.Stores()
	return pause.NewWebhooks(pause.WebhookConfig{
		Store: stores.Webhooks, Events: stores.Events,
		Sender: webhook.NewSender(&webhook.Guard{Development: c.Development()}),
		Sealer: sealer, Types: pause.EventTypes(cms), NewID: ids.New,
	}), nil
}

// Tick returns the periodic work over the CMS and its webhooks: scheduled changes into
// events, deliveries, pruning.
func (c Config) Tick(cms *pause.CMS, w *pause.Webhooks) *webhook.Tick {
	return &webhook.Tick{CMS: cms, Webhooks: w, Events: cms.Stores().Events}
}

// RunTicks runs the tick at once and then at every value of ticks until ctx is done,
// logging what each did (pause serve: every webhook.Interval, so that a scheduled change
// becomes an event within a minute of its time).
func RunTicks(ctx context.Context, t *webhook.Tick, ticks <-chan time.Time, log *slog.Logger) {
	t.Loop(ctx, ticks, func(settled, delivered int, err error) {
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("periodic work", "settled", settled, "delivered", delivered, "error", err.Error())
		case settled > 0 || delivered > 0:
			log.Info("periodic work", "settled", settled, "delivered", delivered)
		}
	})
}
