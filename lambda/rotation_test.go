package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"pause"
	"pause/auth"
)

// TestRotationOverlap builds the function as main does while a rotation is under way (the
// parameter NAME-previous exists): tokens signed with the new secret and with the previous one
// are served; a token of any other secret is refused. Without the previous parameter, the old
// token is refused.
func TestRotationOverlap(t *testing.T) {
	current, previous := "current-"+unitSecret, "previous-"+unitSecret
	sign := func(secret string) string {
		tokens, err := auth.NewTokens([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := tokens.Issue("alice", pause.RoleEditor, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	serve := func(withPrevious bool) func(token string) events.APIGatewayV2HTTPResponse {
		secret := func(_ context.Context, names ...string) (map[string]string, error) {
			out := map[string]string{names[0]: current}
			if withPrevious {
				out[names[1]] = previous
			}
			return out, nil
		}
		env := map[string]string{"PAUSE_STORE": "bolt", "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"), envSecretParam: "/pause/unit/jwt-secret"}
		var handler any
		if err := run(context.Background(), mapEnv(env), &bytes.Buffer{}, secret, func(h any) { handler = h }); err != nil {
			t.Fatal(err)
		}
		h := handler.(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
		return func(token string) events.APIGatewayV2HTTPResponse {
			res, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
				Version: "2.0", RawPath: "/graphql", Body: `{"query":"{ viewer { role } }"}`,
				Headers: map[string]string{"content-type": "application/json", "authorization": "Bearer " + token},
				RequestContext: events.APIGatewayV2HTTPRequestContext{
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", Path: "/graphql"},
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
	}
	during := serve(true)
	for name, c := range map[string]struct {
		token string
		want  int
	}{
		"new":     {sign(current), 200},
		"old":     {sign(previous), 200},
		"foreign": {sign("foreign-" + unitSecret), 401},
	} {
		res := during(c.token)
		if res.StatusCode != c.want || c.want == 200 && !strings.Contains(res.Body, `"role":"EDITOR"`) {
			t.Errorf("during the rotation, a %s token: %d %s", name, res.StatusCode, res.Body)
		}
	}
	if res := serve(false)(sign(previous)); res.StatusCode != 401 {
		t.Errorf("after the rotation, an old token: %d %s", res.StatusCode, res.Body)
	}
}
