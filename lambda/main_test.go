package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

const unitSecret = "unit-test-jwt-secret-0123456789abcdef"

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func noSecret(context.Context, ...string) (map[string]string, error) {
	return nil, errors.New("the secret must not be read")
}

func TestLambdaEnvDefaults(t *testing.T) {
	env, err := lambdaEnv(context.Background(), mapEnv(map[string]string{"PAUSE_TABLE": "pause-demo"}), noSecret)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"PAUSE_ENV": "production", "PAUSE_STORE": "dynamodb", "PAUSE_TABLE": "pause-demo", "PAUSE_JWT_SECRET": "",
	} {
		if got := env(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	// What is set wins over the Lambda's defaults.
	env, err = lambdaEnv(context.Background(), mapEnv(map[string]string{"PAUSE_ENV": "development", "PAUSE_STORE": "bolt"}), noSecret)
	if err != nil {
		t.Fatal(err)
	}
	if env("PAUSE_ENV") != "development" || env("PAUSE_STORE") != "bolt" {
		t.Errorf("PAUSE_ENV %q, PAUSE_STORE %q", env("PAUSE_ENV"), env("PAUSE_STORE"))
	}
}

func TestLambdaEnvSecretParameter(t *testing.T) {
	var asked []string
	secret := func(_ context.Context, names ...string) (map[string]string, error) {
		asked = append(asked, strings.Join(names, " "))
		return map[string]string{names[0]: " " + unitSecret + "\n"}, nil
	}
	env, err := lambdaEnv(context.Background(), mapEnv(map[string]string{envSecretParam: "/pause/demo/jwt-secret"}), secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := env("PAUSE_JWT_SECRET"); got != unitSecret {
		t.Errorf("PAUSE_JWT_SECRET = %q", got)
	}
	env("PAUSE_JWT_SECRET")
	if len(asked) != 1 || asked[0] != "/pause/demo/jwt-secret /pause/demo/jwt-secret-previous" {
		t.Errorf("asked for %q, want the parameter and the previous one, in one read", asked)
	}
	if got := env("PAUSE_JWT_SECRET_PREVIOUS"); got != "" {
		t.Errorf("PAUSE_JWT_SECRET_PREVIOUS = %q without a previous parameter", got)
	}
	previous := func(_ context.Context, names ...string) (map[string]string, error) {
		return map[string]string{names[0]: unitSecret, names[1]: "previous-" + unitSecret}, nil
	}
	env, err = lambdaEnv(context.Background(), mapEnv(map[string]string{envSecretParam: "/p"}), previous)
	if err != nil || env("PAUSE_JWT_SECRET_PREVIOUS") != "previous-"+unitSecret {
		t.Errorf("during a rotation: PAUSE_JWT_SECRET_PREVIOUS = %q, %v", env("PAUSE_JWT_SECRET_PREVIOUS"), err)
	}
}

func TestLambdaEnvRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		env    map[string]string
		secret secretFunc
		want   string
	}{
		"both secrets": {
			map[string]string{envSecretParam: "/p", "PAUSE_JWT_SECRET": unitSecret}, noSecret, "both",
		},
		"empty parameter": {
			map[string]string{envSecretParam: "/p"},
			func(_ context.Context, names ...string) (map[string]string, error) {
				return map[string]string{names[0]: "  "}, nil
			}, "empty",
		},
		"unreadable parameter": {
			map[string]string{envSecretParam: "/p"},
			func(context.Context, ...string) (map[string]string, error) {
				return nil, errors.New("AccessDeniedException")
			}, "AccessDenied",
		},
		"missing parameter": {
			map[string]string{envSecretParam: "/p"},
			func(context.Context, ...string) (map[string]string, error) { return map[string]string{}, nil }, "ParameterNotFound",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := lambdaEnv(context.Background(), mapEnv(c.env), c.secret)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one about %q", err, c.want)
			}
		})
	}
}

func TestNewHandlerRefuses(t *testing.T) {
	for name, c := range map[string]struct {
		env  map[string]string
		want string
	}{
		"unknown event":         {map[string]string{envEvent: "v3", "PAUSE_JWT_SECRET": unitSecret}, envEvent},
		"production, no secret": {map[string]string{"PAUSE_STORE": "bolt", "PAUSE_DATA": "unused"}, "PAUSE_JWT_SECRET"},
		"short secret":          {merge(awsEnv(), map[string]string{"PAUSE_JWT_SECRET": "short"}), "32 bytes"},
		"no AWS region":         {map[string]string{"PAUSE_JWT_SECRET": unitSecret}, "AWS_REGION"},
	} {
		t.Run(name, func(t *testing.T) {
			env := c.env
			if env["PAUSE_DATA"] == "unused" {
				env["PAUSE_DATA"] = filepath.Join(t.TempDir(), "pause.db")
			}
			_, err := newHandler(context.Background(), mapEnv(env), &bytes.Buffer{}, noSecret)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one about %q", err, c.want)
			}
		})
	}
}

// TestRun builds the handler as main does and calls it in process, as lambda.Start would, once
// per kind of event.
func TestRun(t *testing.T) {
	for _, event := range []string{"", "v2", "v1"} {
		t.Run("event="+event, func(t *testing.T) {
			env := map[string]string{
				"PAUSE_STORE": "bolt", "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
				"PAUSE_JWT_SECRET": unitSecret, envEvent: event, "PAUSE_CORS_ORIGINS": "https://app.example.com",
			}
			var logs bytes.Buffer
			var handler any
			if err := run(context.Background(), mapEnv(env), &logs, noSecret, func(h any) { handler = h }); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs.String(), `"msg":"ready"`) || !strings.Contains(logs.String(), `"env":"production"`) {
				t.Errorf("no ready line in production: %s", logs.String())
			}
			body := `{"query":"{ viewer { role } }"}`
			headers := map[string]string{"content-type": "application/json", "origin": "https://app.example.com"}
			var status int
			var resHeaders map[string]string
			var resBody string
			switch h := handler.(type) {
			case func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error):
				if event == "v1" {
					t.Fatalf("v1 configured, v2 handler")
				}
				res, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
					Version: "2.0", RawPath: "/graphql", Headers: headers, Body: body,
					RequestContext: events.APIGatewayV2HTTPRequestContext{
						DomainName: "api.example.com",
						HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/graphql"},
					},
				})
				if err != nil {
					t.Fatal(err)
				}
				status, resHeaders, resBody = res.StatusCode, res.Headers, res.Body
			case func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error):
				if event != "v1" {
					t.Fatalf("%q configured, v1 handler", event)
				}
				res, err := h(context.Background(), events.APIGatewayProxyRequest{
					HTTPMethod: "POST", Path: "/graphql", Headers: headers, Body: body,
				})
				if err != nil {
					t.Fatal(err)
				}
				// The v1 adapter answers with multi-value headers only.
				status, resHeaders, resBody = res.StatusCode, map[string]string{}, res.Body
				for k, vs := range res.MultiValueHeaders {
					resHeaders[k] = strings.Join(vs, ", ")
				}
			default:
				t.Fatalf("handler of type %T", handler)
			}
			if status != 200 || !strings.Contains(resBody, `"role":"ANONYMOUS"`) {
				t.Errorf("status %d, body %s", status, resBody)
			}
			if resHeaders["Access-Control-Allow-Origin"] != "https://app.example.com" {
				t.Errorf("headers %v", resHeaders)
			}
		})
	}
}
