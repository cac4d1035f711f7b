package webhook

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pause"
)

// Tick is the periodic work that no request does: it settles the scheduled changes that
// came due into events (pause.CMS.SettleDue), delivers the events to the endpoints
// (pause.Webhooks.Dispatch), and prunes the events older than pause.EventRetention. The local
// server runs it every Interval; on AWS the worker function runs it on the table's stream and
// on a schedule.
type Tick struct {
	CMS      *pause.CMS
	Webhooks *pause.Webhooks
	Events   pause.EventStore
	Now      func() time.Time
}

// Interval is how often the local server ticks: scheduled changes become events within it.
const Interval = 30 * time.Second

// Run does the work once and returns what it did, for the log.
func (t *Tick) Run(ctx context.Context) (settled, delivered int, err error) {
	sys := pause.NewContext(ctx, &pause.Viewer{Subject: "pause", Role: pause.RoleAdmin})
	var errs []error
	if settled, err = t.CMS.SettleDue(sys); err != nil {
		errs = append(errs, fmt.Errorf("settle scheduled changes: %w", err))
	}
	if t.Webhooks != nil {
		if delivered, err = t.Webhooks.Dispatch(sys); err != nil {
			errs = append(errs, fmt.Errorf("deliver webhooks: %w", err))
		}
	}
	if t.Events != nil {
		now := time.Now
		if t.Now != nil {
			now = t.Now
		}
		if err := t.Events.PruneEvents(sys, now().Add(-pause.EventRetention)); err != nil {
			errs = append(errs, fmt.Errorf("prune events: %w", err))
		}
	}
	return settled, delivered, errors.Join(errs...)
}

// Loop runs the tick at once and then at every value of ticks, until ctx is done; each
// tick's outcome goes to report. Tests give their own ticks (no sleeping); pause serve a
// time.Ticker's.
func (t *Tick) Loop(ctx context.Context, ticks <-chan time.Time, report func(settled, delivered int, err error)) {
	for {
		s, d, err := t.Run(ctx)
		report(s, d, err)
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
	}
}
