package dynamo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"pause"
)

// errUnavailable is what users are told when DynamoDB cannot be reached or keeps refusing.
func errUnavailable() *pause.Error {
	return pause.Errorf(pause.EUNAVAILABLE, "The content store is unavailable: try again in a moment.")
}

// fail translates an error of the SDK, once, for both audiences: users get a *pause.Error
// (UNAVAILABLE when DynamoDB is unreachable, slow or throttling beyond the retryer's budget),
// and the log gets the whole chain, which names the operation and keeps the SDK's error.
// Errors that already are *pause.Error pass through unchanged.
func fail(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var e *pause.Error
	if errors.As(err, &e) {
		return err
	}
	what := fmt.Sprintf(format, args...)
	if unavailable(err) {
		return fmt.Errorf("%w (dynamo: %s: %w)", errUnavailable(), what, err)
	}
	return fmt.Errorf("dynamo: %s: %w", what, err)
}

// failWrite is fail for a write: when the write may have been applied although no answer came
// (the request was sent, then the time ran out, the connection broke, or DynamoDB answered
// with a server error, after which AWS says a transaction may or may not have succeeded), the
// user gets EUNKNOWN, never "try again": a plain retry could make the change twice. A write that
// surely was not applied (it could not be sent, or it was throttled) is EUNAVAILABLE.
func failWrite(err error, format string, args ...any) error {
	if err == nil || !unavailable(err) || notApplied(err) {
		return fail(err, format, args...)
	}
	var e *pause.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%w (dynamo: %s: %w)", pause.Errorf(pause.EUNKNOWN,
		"The change may or may not have been made: the content store did not answer in time. "+
			"Read the item to find out, or send the request again with the same Idempotency-Key."),
		fmt.Sprintf(format, args...), err)
}

// notApplied reports whether err means that DynamoDB surely did not apply the write: the
// request could not be sent, or it was throttled.
func notApplied(err error) bool {
	var (
		send      *smithyhttp.RequestSendError
		throttled *types.ProvisionedThroughputExceededException
		limit     *types.RequestLimitExceeded
		api       smithy.APIError
	)
	if errors.As(err, &throttled) || errors.As(err, &limit) {
		return true
	}
	if errors.As(err, &api) && api.ErrorCode() == "ThrottlingException" {
		return true
	}
	// Of the errors in sending, only those before a connection was made (dialing, resolving
	// the name) are sure: a timeout or a broken connection may come after the request left.
	var op *net.OpError
	var dns *net.DNSError
	return errors.As(err, &send) && (errors.As(err, &op) && op.Op == "dial" || errors.As(err, &dns))
}

// unavailable reports whether err means that DynamoDB could not do the request now, rather
// than that the request was wrong: the network, a timeout, the caller giving up, throttling
// or a server error that outlasted the SDK's retries.
func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var (
		send      *smithyhttp.RequestSendError
		canceled  *aws.RequestCanceledError
		netErr    net.Error
		attempts  *retry.MaxAttemptsError
		throttled *types.ProvisionedThroughputExceededException
		limit     *types.RequestLimitExceeded
		internal  *types.InternalServerError
		response  *smithyhttp.ResponseError
		api       smithy.APIError
	)
	switch {
	case errors.As(err, &send), errors.As(err, &canceled), errors.As(err, &netErr),
		errors.As(err, &attempts), errors.As(err, &throttled), errors.As(err, &limit),
		errors.As(err, &internal):
		return true
	case errors.As(err, &response) && response.HTTPStatusCode() >= 500:
		return true
	case errors.As(err, &api):
		switch api.ErrorCode() {
		case "ThrottlingException", "ServiceUnavailable", "InternalFailure", "RequestTimeout":
			return true
		}
	}
	return false
}

// transientReason reports whether a transaction was cancelled for a reason that goes away by
// itself: another transaction on one of its items, or throttling.
func transientReason(code string) bool {
	switch code {
	case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded":
		return true
	}
	return false
}
