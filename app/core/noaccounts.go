//go:build noaccounts

package core

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"pause"
	"pause/auth"
)

// Accounts, in builds with the tag noaccounts (the API's Lambda bootstrap, make lambda), has
// no sign-in: the deployment routes /auth/ to the sign-in function (built without the tag,
// with authonly), and this build leaves out package accounts with x/oauth2, pquerna/otp and
// go-webauthn. Called directly, the API function answers every /auth/ path NOT_FOUND, in
// the format of /auth/'s errors, with where sign-in is. Admin work on accounts (invites,
// resets, sessions) is the GraphQL API's and goes through the stores, unaffected.
func (c Config) Accounts(pause.Stores, []byte, *auth.Tokens, *slog.Logger) (http.Handler, error) {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		body.Error.Code = pause.ENOTFOUND
		body.Error.Message = "Sign-in is served by the sign-in function: call " + r.URL.Path + " through the API's public address."
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(body)
	}), nil
}

// AuthHandler refuses: this build has no sign-in (see Accounts).
func (c Config) AuthHandler(pause.Stores, *slog.Logger) (http.Handler, error) {
	return nil, errors.New("this build has no sign-in (the tag noaccounts): build the sign-in function without it")
}
