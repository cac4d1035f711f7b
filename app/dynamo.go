package main

import (
	"context"
	"errors"
	"io"

	"pause"
)

// openDynamo opens the DynamoDB stores. (Wired when the dynamo package lands.)
func openDynamo(ctx context.Context, cfg config) (pause.Stores, error) {
	return pause.Stores{}, errors.New("PAUSE_STORE=dynamodb is not available in this build yet")
}

func table(ctx context.Context, cfg config, args []string, stdout, stderr io.Writer) error {
	return errors.New("table: PAUSE_STORE=dynamodb is not available in this build yet")
}
