package app

import (
	"context"
	"errors"

	"pause"
)

// openDynamo opens the DynamoDB stores.
func (c Config) openDynamo(ctx context.Context) (pause.Stores, error) {
	return pause.Stores{}, errors.New("PAUSE_STORE=dynamodb is not available in this build yet")
}
