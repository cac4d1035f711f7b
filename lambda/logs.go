package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// The function's log: one JSON object a line on stderr, which Lambda sends to CloudWatch Logs
// as it is (the function's log format is JSON: Lambda does not wrap lines that already are).
// Each line written while serving a request carries the ids that join it to the other logs:
//
//	lambda_request_id   Lambda's request id: its START, END and REPORT lines, and the API's
//	                    access log (integrationRequestId)
//	apigw_request_id    API Gateway's request id: the access log's requestId
//	trace_id            the X-Ray trace (Root=...), to find the request's trace
//
// beside Pause's own request_id (X-Request-Id, quoted to users with internal errors).

// logLevel returns the level the function logs at: AWS_LAMBDA_LOG_LEVEL, which Lambda sets from
// the function's application log level (LoggingConfig), over PAUSE_LOG_LEVEL (configured). Lambda's
// TRACE is slog's debug and its FATAL slog's error.
func logLevel(getenv func(string) string, configured string) string {
	switch l := strings.ToLower(strings.TrimSpace(getenv("AWS_LAMBDA_LOG_LEVEL"))); l {
	case "trace", "debug":
		return "debug"
	case "info", "warn", "error":
		return l
	case "fatal":
		return "error"
	}
	return configured
}

// invocationHandler adds the invocation's ids (from the request's context) to every record.
type invocationHandler struct{ slog.Handler }

// Handle adds the ids of the invocation that ctx belongs to, if any.
func (h invocationHandler) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(invocationAttrs(ctx)...)
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the ids on the derived handler.
func (h invocationHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return invocationHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup keeps the ids on the derived handler.
func (h invocationHandler) WithGroup(name string) slog.Handler {
	return invocationHandler{h.Handler.WithGroup(name)}
}

// invocation holds the ids of an invocation, as its log lines carry them.
type invocation struct {
	lambda, apigw, trace string
}

// invocationIDs returns the ids of the invocation ctx belongs to; empty outside one.
func invocationIDs(ctx context.Context) invocation {
	var out invocation
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		out.lambda = lc.AwsRequestID
	}
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(ctx); ok {
		out.apigw = rc.RequestID
	} else if rc, ok := core.GetAPIGatewayContextFromContext(ctx); ok {
		out.apigw = rc.RequestID
	}
	// The runtime client puts the X-Ray header of the invocation in the context under this
	// string key: Root=1-...;Parent=...;Sampled=1.
	if h, ok := ctx.Value("x-amzn-trace-id").(string); ok {
		out.trace = traceRoot(h)
	}
	return out
}

func invocationAttrs(ctx context.Context) []slog.Attr {
	id := invocationIDs(ctx)
	var attrs []slog.Attr
	if id.lambda != "" {
		attrs = append(attrs, slog.String("lambda_request_id", id.lambda))
	}
	if id.apigw != "" {
		attrs = append(attrs, slog.String("apigw_request_id", id.apigw))
	}
	if id.trace != "" {
		attrs = append(attrs, slog.String("trace_id", id.trace))
	}
	return attrs
}

// traceRoot returns the Root of an X-Ray trace header (the trace id), or the header if it has
// none.
func traceRoot(header string) string {
	for _, part := range strings.Split(header, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return v
		}
	}
	return header
}
