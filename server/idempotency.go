package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"pause"
)

// Codes of the answers to requests sent with an Idempotency-Key that cannot run.
const (
	// CodeIdempotencyKeyReused: the key was sent before with another request.
	CodeIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"
	// CodeIdempotencyKeyInUse: a request with the key is running now.
	CodeIdempotencyKeyInUse = "IDEMPOTENCY_KEY_IN_USE"
)

// maxIdempotencyKey is the longest Idempotency-Key taken.
const maxIdempotencyKey = 255

// idempotent makes POST requests sent with an Idempotency-Key header happen at most once per
// caller and key: the first answer is kept for pause.IdempotencyTTL and given again, with
// Idempotent-Replayed: true, to a repeat of the same request (method, path, body); the same
// key with another request gets 422, and a repeat while the first still runs 409. A request
// whose outcome is unknown (UNKNOWN_OUTCOME: the store did not answer in time) keeps no answer:
// its repeat runs again, and makes the same ids and store tokens, so that what the first attempt
// made is not made twice (see pause.Idempotency). Requests without the header pass as they are.
func idempotent(store pause.IdempotencyStore, now func() time.Time, logger *slog.Logger, next http.Handler) http.Handler {
	if store == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys := r.Header.Values("Idempotency-Key")
		if len(keys) == 0 || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		if len(keys) > 1 || !validIdempotencyKey(keys[0]) {
			writeError(w, r, http.StatusBadRequest, &pause.Error{Code: pause.EINVALID, Field: "Idempotency-Key",
				Message: "Send one Idempotency-Key header of 1 to 255 printable ASCII characters (a UUID, say)."})
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, http.StatusRequestEntityTooLarge, pause.Errorf(pause.EINVALID, "The request body is too large or could not be read."))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.New()
		io.WriteString(sum, r.Method+" "+r.URL.Path+"\x00")
		sum.Write(body)
		t := now().UTC().Truncate(time.Microsecond)
		v := pause.ViewerFrom(r.Context())
		owner := make([]byte, 16)
		rand.Read(owner)
		claim := &pause.IdempotencyRecord{
			Key: pause.IdempotencyKeyHash(string(v.Role)+":"+v.Subject, keys[0]), Hash: hex.EncodeToString(sum.Sum(nil)),
			State: pause.IdempotencyRunning, Attempt: 1, Owner: hex.EncodeToString(owner),
			CreatedAt: t, UpdatedAt: t, ExpiresAt: t.Add(pause.IdempotencyTTL),
		}
		rec, err := store.BeginRequest(r.Context(), claim, t)
		switch {
		case err != nil:
			status := http.StatusInternalServerError
			if pause.ErrorCode(err) == pause.EUNAVAILABLE {
				status = http.StatusServiceUnavailable
			}
			logger.ErrorContext(r.Context(), "idempotency: begin", "error", err, "request_id", RequestID(r.Context()))
			writeError(w, r, status, err)
			return
		case rec.Hash != claim.Hash:
			writeError(w, r, http.StatusUnprocessableEntity, pause.Errorf(CodeIdempotencyKeyReused,
				"This Idempotency-Key was sent before with another request: use a new key for a new request."))
			return
		case rec.State == pause.IdempotencyDone:
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(rec.Body)))
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(rec.Status)
			w.Write(rec.Body)
			return
		case rec.State != pause.IdempotencyRunning || rec.Owner != claim.Owner:
			w.Header().Set("Retry-After", "1")
			writeError(w, r, http.StatusConflict, pause.Errorf(CodeIdempotencyKeyInUse,
				"A request with this Idempotency-Key is running: send it again in a moment to get its answer."))
			return
		}
		out := &keptAnswer{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(out, r.WithContext(pause.WithIdempotency(r.Context(), rec)))
		rec.State, rec.Status, rec.Body, rec.UpdatedAt = pause.IdempotencyDone, out.status, out.body.Bytes(), now().UTC()
		if out.status >= 500 || unknownOutcome(out.body.Bytes()) {
			rec.State, rec.Status, rec.Body = pause.IdempotencyUnknown, 0, nil
		}
		// The answer is kept even if the request's time ran out: it is what the client gets.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
		defer cancel()
		if err := store.EndRequest(ctx, rec); err != nil {
			// The client still gets its answer; a repeat of the request runs again once the
			// lease is over, with the same ids and store tokens.
			logger.ErrorContext(r.Context(), "idempotency: end", "error", err, "request_id", RequestID(r.Context()))
		}
		for k, vs := range out.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(out.status)
		w.Write(out.body.Bytes())
	})
}

// validIdempotencyKey reports whether k is 1 to maxIdempotencyKey printable ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > maxIdempotencyKey {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// unknownOutcome reports whether a GraphQL answer has an UNKNOWN_OUTCOME error.
func unknownOutcome(body []byte) bool {
	var out struct {
		Errors []struct {
			Extensions struct{ Code string } `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &out) != nil {
		return false
	}
	for _, e := range out.Errors {
		if e.Extensions.Code == pause.EUNKNOWN {
			return true
		}
	}
	return false
}

// keptAnswer keeps an answer, to keep it and write it later.
type keptAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
	wrote  bool
}

func (r *keptAnswer) Header() http.Header { return r.header }

func (r *keptAnswer) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *keptAnswer) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
