package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// Two credentials reach the function joined in one header (API Gateway's HTTP API joins repeated
// headers with commas) or as two values (REST API's multiValueHeaders): both are a 400
// BAD_REQUEST, as with `pause serve`.
func TestTwoAuthorizationHeaders(t *testing.T) {
	handler := func(t *testing.T, event string) any {
		t.Helper()
		env := map[string]string{
			"PAUSE_STORE": "bolt", "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
			"PAUSE_JWT_SECRET": unitSecret, envEvent: event,
		}
		var h any
		if err := run(context.Background(), mapEnv(env), &bytes.Buffer{}, noSecret, func(fn any) { h = fn }); err != nil {
			t.Fatal(err)
		}
		return h
	}
	body := `{"query":"{ viewer { role } }"}`
	check := func(t *testing.T, status int, resBody string) {
		t.Helper()
		if status != 400 || !strings.Contains(resBody, `"BAD_REQUEST"`) || !strings.Contains(resBody, "Authorization") {
			t.Errorf("%d %s, want 400 BAD_REQUEST about the Authorization header", status, resBody)
		}
	}

	v2 := handler(t, "v2").(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
	res, err := v2(context.Background(), events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: "/graphql", Body: body,
		Headers: map[string]string{"content-type": "application/json", "authorization": "Bearer a.b.c,Bearer d.e.f"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "api.example.com",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/graphql"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, res.StatusCode, res.Body)

	v1 := handler(t, "v1").(func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error))
	res1, err := v1(context.Background(), events.APIGatewayProxyRequest{
		HTTPMethod: "POST", Path: "/graphql", Body: body,
		Headers: map[string]string{"content-type": "application/json", "authorization": "Bearer d.e.f"},
		MultiValueHeaders: map[string][]string{
			"content-type":  {"application/json"},
			"authorization": {"Bearer a.b.c", "Bearer d.e.f"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	check(t, res1.StatusCode, res1.Body)
}
