//go:build !authonly

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"pause"
	"pause/app"
	"pause/webhook"
)

// The worker: the same bootstrap, deployed as a second function with PAUSE_LAMBDA_EVENT=worker
// (infra/template.yaml). The table's stream invokes it when events are written, and an
// EventBridge schedule every minute; either way it does the periodic work (webhook.Tick):
// scheduled changes that came due become events and settle into their items, the endpoints
// get the events they have not had (in order, from their own cursors in the table, so the
// stream's records only wake it), and old events are pruned. No request of the API waits on
// a delivery.

// workerInput is what the worker is invoked with: a batch of the stream's records, or the
// schedule's event.
type workerInput struct {
	Records []struct {
		EventName string `json:"eventName"`
	} `json:"Records"`
	Source     string `json:"source"`
	DetailType string `json:"detail-type"`
}

// workerOutput is what an invocation did, for the log and the tests.
type workerOutput struct {
	Trigger   string `json:"trigger"`
	Records   int    `json:"records"`
	Settled   int    `json:"settled"`
	Delivered int    `json:"delivered"`
}

// newWorker returns the worker's handler. An error (the store unavailable) fails the
// invocation, so that the stream retries the batch (then sends it to the failure destination)
// and EventBridge retries the schedule; a failing endpoint is no error: its retries are its
// own (pause.Webhooks.Dispatch).
func newWorker(cfg app.Config, cms *pause.CMS, log *slog.Logger) (func(context.Context, json.RawMessage) (workerOutput, error), error) {
	hooks, err := cfg.Webhooks(cms)
	if err != nil {
		return nil, err
	}
	tick := cfg.Tick(cms, hooks)
	return func(ctx context.Context, raw json.RawMessage) (workerOutput, error) {
		var in workerInput
		if err := json.Unmarshal(raw, &in); err != nil {
			return workerOutput{}, fmt.Errorf("worker: the event is not JSON: %w", err)
		}
		out := workerOutput{Trigger: "invoke", Records: len(in.Records)}
		switch {
		case len(in.Records) > 0:
			out.Trigger = "stream"
		case in.Source == "aws.events" || in.Source == "aws.scheduler":
			out.Trigger = "schedule"
		}
		return runTick(ctx, tick, out, log)
	}, nil
}

func runTick(ctx context.Context, tick *webhook.Tick, out workerOutput, log *slog.Logger) (workerOutput, error) {
	var err error
	out.Settled, out.Delivered, err = tick.Run(ctx)
	if err != nil {
		log.Error("worker", "trigger", out.Trigger, "records", out.Records, "settled", out.Settled,
			"delivered", out.Delivered, "error", err.Error())
		return out, err
	}
	log.Info("worker", "trigger", out.Trigger, "records", out.Records, "settled", out.Settled, "delivered", out.Delivered)
	return out, nil
}
