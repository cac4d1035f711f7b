package app

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

// openDynamo opens the stores on the DynamoDB table PAUSE_TABLE, with a client of the AWS
// configuration that c.AWS loads.
func (c Config) openDynamo(ctx context.Context) (pause.Stores, error) {
	client, err := c.dynamoClient(ctx)
	if err != nil {
		return pause.Stores{}, err
	}
	return dynamo.New(dynamo.Config{Client: client, Table: c.Table}).Stores(), nil
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

// meterDynamo logs, at debug level, the DynamoDB requests and capacity each HTTP request cost,
// with the request id that the request's own log line has.
func meterDynamo(log *slog.Logger, next http.Handler) http.Handler {
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
