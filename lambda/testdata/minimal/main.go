// Command minimal is the smallest Go function behind API Gateway: aws-lambda-go answering every
// HTTP API event with 200 and no work. BenchmarkColdStart measures its cold start beside
// Pause's, in the same run, as the floor that the machine and the emulator set.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"data":{}}`}, nil
	})
}
