package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"pause"
	"pause/dynamo"
)

// OpenStores opens the configured stores (the embedded file, or the DynamoDB table), and
// returns a function that closes them.
func (c Config) OpenStores(ctx context.Context) (pause.Stores, func() error, error) {
	if err := c.Check(); err != nil {
		return pause.Stores{}, nil, err
	}
	switch c.Store {
	case "bolt":
		return openBolt(c.Data)
	default:
		client, err := c.dynamoClient(ctx)
		if err != nil {
			return pause.Stores{}, nil, err
		}
		return dynamo.New(dynamo.Config{Client: client, Table: c.Table}).Stores(), func() error { return nil }, nil
	}
}

// CreateTable creates the DynamoDB table PAUSE_TABLE with its indexes, and waits until it is
// ready; an existing table is left as it is.
func (c Config) CreateTable(ctx context.Context) error {
	client, err := c.dynamoClient(ctx)
	if err != nil {
		return err
	}
	return dynamo.CreateTable(ctx, client, c.Table)
}

func (c Config) dynamoClient(ctx context.Context) (*dynamodb.Client, error) {
	if c.AWS == nil {
		return nil, errors.New("app: the DynamoDB store needs Config.AWS, the AWS configuration's loader")
	}
	cfg, err := c.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration: %w", err)
	}
	return dynamo.NewClient(cfg), nil
}

// MeterDynamo logs, at debug level, the DynamoDB requests and capacity each HTTP request cost,
// with the request id that the request's own log line has. It meters only on the DynamoDB
// store; on the embedded one it returns next.
func (c Config) MeterDynamo(log *slog.Logger, next http.Handler) http.Handler {
	if c.Store != "dynamodb" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !log.Enabled(r.Context(), slog.LevelDebug) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, meter := dynamo.WithMeter(r.Context())
		next.ServeHTTP(w, r.WithContext(ctx))
		u := meter.Usage()
		log.DebugContext(ctx, "dynamodb usage", "request_id", w.Header().Get("X-Request-Id"),
			"requests", u.Requests, "read_units", u.ReadUnits, "write_units", u.WriteUnits, "usage", u.String())
	})
}
