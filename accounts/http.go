package accounts

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"pause"
)

// SessionCookie is the name of the session cookie. The __Host- prefix makes browsers accept it
// only with Secure, Path=/ and no Domain, from a secure origin: no subdomain and no plain-HTTP
// page can set or overwrite it (ASVS 3.3.1, 3.3.3). Browsers count http://localhost as
// secure, so it works with `pause serve` too.
const SessionCookie = "__Host-pause_session"

// StudioHeader is the header that requests which use the cookie to do something (a token,
// a sign-out, a password change) must carry with the value "1". A page on another origin can
// only send it after a CORS preflight, which /auth/ never approves (ASVS 3.5.2).
const StudioHeader = "X-Pause-Studio"

// HTTPConfig is what the handler needs beside the Service.
type HTTPConfig struct {
	// Origins are the origins (scheme://host[:port]) of the pages that may use the session
	// cookie: the studio's. A request whose Origin is its own host is accepted too.
	Origins []string
}

// Handler returns the HTTP face of the service, for the paths under /auth/:
//
//	POST /auth/setup     {token, password}: choose a password with a setup or reset link
//	POST /auth/login     {email, password, code}: sign in; sets the session cookie
//	POST /auth/token     (cookie, Origin, X-Pause-Studio: 1): a 5-minute access token
//	POST /auth/logout    (cookie, Origin, X-Pause-Studio: 1): end the session
//	POST /auth/password  (cookie, Origin, X-Pause-Studio: 1) {currentPassword, newPassword}
//	POST /auth/passkey/login/begin, /auth/passkey/login/finish: sign in with a passkey
//	POST /auth/passkey/register/begin, /auth/passkey/register/finish (as /auth/token):
//	     add a passkey to the signed-in user
//	GET  /auth/oidc/start, /auth/oidc/callback: single sign-on (the callback is the one GET
//	     that signs in: the state, the nonce and PKCE bind it to the browser that started)
//
// Every request body is JSON (Content-Type: application/json), so that no HTML form of
// another site can post one; GET never changes anything. Answers are JSON, never cached.
func (s *Service) Handler(cfg HTTPConfig) http.Handler {
	h := &handler{s: s, origins: cfg.Origins}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/setup", h.setup)
	mux.HandleFunc("POST /auth/login", h.login)
	mux.HandleFunc("POST /auth/token", h.studio(h.token))
	mux.HandleFunc("POST /auth/logout", h.studio(h.logout))
	mux.HandleFunc("POST /auth/password", h.studio(h.password))
	mux.HandleFunc("POST /auth/passkey/login/begin", h.passkeyLoginBegin)
	mux.HandleFunc("POST /auth/passkey/login/finish", h.passkeyLoginFinish)
	mux.HandleFunc("POST /auth/passkey/register/begin", h.studio(h.passkeyRegisterBegin))
	mux.HandleFunc("POST /auth/passkey/register/finish", h.studio(h.passkeyRegisterFinish))
	mux.HandleFunc("GET /auth/oidc/start", h.oidcStart)
	mux.HandleFunc("GET /auth/oidc/callback", h.oidcCallback)
	mux.HandleFunc("GET /auth/setup", func(w http.ResponseWriter, r *http.Request) {
		// A person who opens a setup link in a browser gets the studio's page for it.
		if token := r.URL.Query().Get("token"); token != "" && acceptsHTML(r) {
			http.Redirect(w, r, StudioSetupPath+"?token="+url.QueryEscape(token), http.StatusSeeOther)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{
			"message": "POST {\"token\": \"<the token of this link>\", \"password\": \"<your new password>\"} to /auth/setup as JSON to choose your password.",
		})
	})
	mux.HandleFunc("/auth/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, pause.Errorf(pause.ENOTFOUND, "There is nothing at %s.", r.URL.Path))
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		_, pattern := mux.Handler(r)
		if pattern == "/auth/" && knownPath(r.URL.Path) {
			w.Header().Set("Allow", "POST")
			writeError(w, http.StatusMethodNotAllowed, pause.Errorf("METHOD_NOT_ALLOWED", "Use POST."))
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// StudioSetupPath is the studio's page that chooses a password with a setup link's token:
// GET /auth/setup?token=... sends browsers there.
const StudioSetupPath = "/studio/setup"

// acceptsHTML reports whether the request is a browser's navigation (it accepts text/html).
func acceptsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(v, "text/html") {
			return true
		}
	}
	return false
}

func knownPath(p string) bool {
	return slices.Contains([]string{"/auth/setup", "/auth/login", "/auth/token", "/auth/logout", "/auth/password",
		"/auth/passkey/login/begin", "/auth/passkey/login/finish", "/auth/passkey/register/begin",
		"/auth/passkey/register/finish", "/auth/oidc/start", "/auth/oidc/callback"}, p)
}

type handler struct {
	s       *Service
	origins []string
}

// errorBody is how errors are answered.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, err error) {
	var body errorBody
	body.Error.Code, body.Error.Message, body.Error.Field = pause.ErrorCode(err), pause.ErrorMessage(err), pause.ErrorField(err)
	writeJSON(w, status, body)
}

// fail answers an error of the service with its status; internal errors are logged.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if t, ok := IsThrottled(err); ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(t.RetryAfter.Seconds()+0.999)))
		writeError(w, http.StatusTooManyRequests, pause.Errorf("TOO_MANY_REQUESTS", "%s", t.Error()))
		return
	}
	status := http.StatusInternalServerError
	switch pause.ErrorCode(err) {
	case pause.EUNAUTHENTICATED:
		status = http.StatusUnauthorized
	case pause.EINVALID:
		status = http.StatusBadRequest
	case pause.EFORBIDDEN:
		status = http.StatusForbidden
	case pause.ENOTFOUND:
		status = http.StatusNotFound
	case pause.ECONFLICT:
		status = http.StatusConflict
	case pause.EUNAVAILABLE:
		status = http.StatusServiceUnavailable
	default:
		h.s.cfg.Logger.ErrorContext(r.Context(), "auth", "path", r.URL.Path, "error", err)
	}
	writeError(w, status, err)
}

// decode reads the JSON body into v; false (and an answer sent) if it is not JSON.
func (h *handler) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); media != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, pause.Errorf(pause.EINVALID, "Send the body as JSON (Content-Type: application/json)."))
		return false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, pause.Errorf(pause.EINVALID, "The body is not the JSON object expected."))
		return false
	}
	return true
}

// sameOrigin reports whether the request's Origin is one of the studio's, or the server's own
// host. A request without Origin is not.
func (h *handler) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return false
	}
	if slices.Contains(h.origins, origin) {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Path == "" && u.Host == r.Host
}

// studio guards the requests that act with the session cookie: they must come from the
// studio's origin and carry the studio's header (ASVS 3.5.1-3.5.3).
func (h *handler) studio(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.sameOrigin(r) || r.Header.Get(StudioHeader) != "1" {
			writeError(w, http.StatusForbidden, pause.Errorf(pause.EFORBIDDEN,
				"This request must come from the studio: same Origin, and the header %s: 1.", StudioHeader))
			return
		}
		next(w, r)
	}
}

// clientAddress is the address throttling counts failures of: the connection's peer (API
// Gateway's source IP on Lambda). Forwarded headers are not trusted.
func clientAddress(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

func cookieSecret(r *http.Request) string {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// setSession sets the session cookie: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain,
// for the session's whole life (ASVS 3.3.1-3.3.4).
func setSession(w http.ResponseWriter, secret string, expires time.Time, now time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(expires.Sub(now).Seconds())})
}

func clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

type userJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

func userOf(u *pause.User) *userJSON {
	return &userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role)}
}

func (h *handler) setup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if !h.decode(w, r, &in) {
		return
	}
	u, err := h.s.Setup(r.Context(), in.Token, in.Password, clientAddress(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userOf(u),
		"next": "Sign in with POST /auth/login {email, password}: the first sign-in enrols an authenticator app."})
}

// signInJSON answers a sign-in: the cookie and the user, or the next step.
func (h *handler) signInJSON(w http.ResponseWriter, res *SignIn) {
	out := map[string]any{"status": res.Step}
	switch res.Step {
	case StepSignedIn:
		setSession(w, res.Secret, res.Session.ExpiresAt, res.Session.CreatedAt)
		out["user"] = userOf(res.User)
		if res.RecoveryCodes != nil {
			out["recoveryCodes"] = res.RecoveryCodes
		}
	case StepEnrolTOTP:
		out["totpSecret"], out["otpauthUrl"] = res.TOTPSecret, res.TOTPURL
		out["message"] = "Add this secret to an authenticator app, then sign in again with its code."
	case StepCode:
		out["message"] = "Send the code of your authenticator app (or a recovery code) as code."
	case StepUsePasskey:
		out["message"] = "Sign in with your passkey."
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	// A page of another origin must not sign a visitor in to its own account (login CSRF).
	if r.Header.Get("Origin") != "" && !h.sameOrigin(r) {
		writeError(w, http.StatusForbidden, pause.Errorf(pause.EFORBIDDEN, "Sign in from the studio's own pages."))
		return
	}
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Code     string `json:"code"`
	}
	if !h.decode(w, r, &in) {
		return
	}
	res, err := h.s.Login(r.Context(), LoginInput{Email: in.Email, Password: in.Password, Code: in.Code,
		Address: clientAddress(r), UserAgent: r.UserAgent()})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.signInJSON(w, res)
}

func (h *handler) token(w http.ResponseWriter, r *http.Request) {
	t, err := h.s.Token(r.Context(), cookieSecret(r))
	if err != nil {
		if pause.ErrorCode(err) == pause.EUNAUTHENTICATED {
			clearSession(w)
		}
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": t.Token, "tokenType": "Bearer",
		"expiresAt": t.ExpiresAt.Format(time.RFC3339), "expiresIn": int(AccessTokenTTL.Seconds()), "user": userOf(t.User)})
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.s.Logout(r.Context(), cookieSecret(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	clearSession(w)
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) password(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CurrentPassword string `json:"currentPassword"`
		NewPassword     string `json:"newPassword"`
	}
	if !h.decode(w, r, &in) {
		return
	}
	res, err := h.s.ChangePassword(r.Context(), cookieSecret(r), in.CurrentPassword, in.NewPassword, clientAddress(r), r.UserAgent())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.signInJSON(w, res)
}

// stateCookie holds the sealed state of a passkey ceremony between its two requests.
const stateCookie = "__Host-pause_webauthn"

func setState(w http.ResponseWriter, state []byte) {
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: base64.RawURLEncoding.EncodeToString(state), Path: "/",
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: int(passkeyStateTTL.Seconds())})
}

// takeState returns the sealed state of the cookie, and clears the cookie: a state is used
// once by the browser.
func takeState(w http.ResponseWriter, r *http.Request) []byte {
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	c, err := r.Cookie(stateCookie)
	if err != nil {
		return nil
	}
	b, _ := base64.RawURLEncoding.DecodeString(c.Value)
	return b
}

// jsonBody refuses bodies that are not JSON; the passkey library reads the body itself.
func jsonBody(w http.ResponseWriter, r *http.Request) bool {
	if media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); media != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, pause.Errorf(pause.EINVALID, "Send the body as JSON (Content-Type: application/json)."))
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	return true
}

func (h *handler) passkeyLoginBegin(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" && !h.sameOrigin(r) {
		writeError(w, http.StatusForbidden, pause.Errorf(pause.EFORBIDDEN, "Sign in from the studio's own pages."))
		return
	}
	opts, state, err := h.s.PasskeyLoginBegin()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setState(w, state)
	writeJSON(w, http.StatusOK, opts)
}

func (h *handler) passkeyLoginFinish(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") != "" && !h.sameOrigin(r) {
		writeError(w, http.StatusForbidden, pause.Errorf(pause.EFORBIDDEN, "Sign in from the studio's own pages."))
		return
	}
	if !jsonBody(w, r) {
		return
	}
	res, err := h.s.PasskeyLoginFinish(r.Context(), takeState(w, r), r, clientAddress(r), r.UserAgent())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.signInJSON(w, res)
}

func (h *handler) passkeyRegisterBegin(w http.ResponseWriter, r *http.Request) {
	opts, state, err := h.s.PasskeyRegisterBegin(r.Context(), cookieSecret(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setState(w, state)
	writeJSON(w, http.StatusOK, opts)
}

func (h *handler) passkeyRegisterFinish(w http.ResponseWriter, r *http.Request) {
	if !jsonBody(w, r) {
		return
	}
	u, err := h.s.PasskeyRegisterFinish(r.Context(), cookieSecret(r), takeState(w, r), r, r.URL.Query().Get("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": userOf(u), "passkeys": len(u.Passkeys)})
}

// oidcCookie holds the sealed state of a single sign-on between the start and the callback.
// It is SameSite=Lax: the callback is a navigation from the provider's site, which a Strict
// cookie would not accompany.
const oidcCookie = "__Host-pause_oidc"

func (h *handler) oidcStart(w http.ResponseWriter, r *http.Request) {
	redirect, sealed, err := h.s.OIDCStart(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/",
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int(oidcStateTTL.Seconds())})
	http.Redirect(w, r, redirect, http.StatusFound)
}

func (h *handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	var sealed []byte
	if c, err := r.Cookie(oidcCookie); err == nil {
		sealed, _ = base64.RawURLEncoding.DecodeString(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		writeError(w, http.StatusUnauthorized, pause.Errorf(pause.EUNAUTHENTICATED, "The sign-on provider refused: %.100s", e))
		return
	}
	res, err := h.s.OIDCCallback(r.Context(), sealed, q.Get("state"), q.Get("code"), clientAddress(r), r.UserAgent())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setSession(w, res.Secret, res.Session.ExpiresAt, res.Session.CreatedAt)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// WriteError answers err with the status as the handler answers its own errors, {"error":
// {"code", "message"}}: for the middleware in front of it (internal/edge's ErrorWriter).
func WriteError(w http.ResponseWriter, _ *http.Request, status int, err error) {
	writeError(w, status, err)
}
