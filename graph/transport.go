package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The media types of GraphQL over HTTP.
const (
	MediaGraphQLResponse = "application/graphql-response+json"
	MediaJSON            = "application/json"
)

// maxErrors is how many errors a request error lists; a flood of invalid directives or fields
// gets the first ones and a count of the rest, not a response larger than the query.
const maxErrors = 20

// httpTransport is GraphQL over HTTP as its specification says
// (https://graphql.github.io/graphql-over-http/draft/), in place of gqlgen's GET and POST
// transports, which differ from it in status codes and in the data entry of request errors:
//
//   - The response is application/graphql-response+json or application/json, as Accept asks
//     (application/json when Accept is missing or a wildcard); 406 if it asks for neither.
//   - POST takes a JSON object {query, operationName, variables, extensions} with
//     Content-Type application/json (415 otherwise); GET takes the same in the URL and runs
//     queries only: a mutation over GET gets 405 with Allow: POST.
//   - A request that is not a GraphQL request (invalid JSON or UTF-8, no query, parameters of
//     the wrong types) gets 400 (CodeBadRequest), whatever the media type.
//   - A request error (the document does not parse or validate, variables do not fit, a limit
//     is exceeded) gets 400 with application/graphql-response+json and 200 with
//     application/json, and never a data entry.
//   - An operation that runs gets 200, with data and any field errors.
type httpTransport struct {
	maxBatch int
}

var _ graphql.Transport = httpTransport{}

// Supports takes every request to the endpoint, so that each wrong one gets its own answer
// instead of gqlgen's "transport not supported".
func (httpTransport) Supports(*http.Request) bool { return true }

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := Negotiate(r.Header.Values("Accept"))
	if !ok {
		writeError(w, MediaJSON, http.StatusNotAcceptable, CodeNotAcceptable,
			"Accept %s or %s.", MediaGraphQLResponse, MediaJSON)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		params, gqlErr := paramsFromURL(r.URL.RawQuery)
		if gqlErr != nil {
			writeJSON(w, media, http.StatusBadRequest, encodeResponse(&graphql.Response{Errors: gqlerror.List{gqlErr}}))
			return
		}
		t.single(w, r, exec, media, params, true)
	case http.MethodPost:
		t.post(w, r, exec, media)
	default:
		w.Header().Set("Allow", "GET, POST")
		writeError(w, media, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Send GraphQL requests with GET (queries) or POST.")
	}
}

func (t httpTransport) post(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != MediaJSON {
		writeError(w, media, http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
			"Send the request with Content-Type: application/json.")
		return
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		writeError(w, media, http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
			"Send the request in UTF-8 (charset=utf-8).")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, media, http.StatusRequestEntityTooLarge, CodePayloadTooLarge,
				"The request body is larger than %d bytes.", tooLarge.Limit)
			return
		}
		writeError(w, media, http.StatusBadRequest, CodeBadRequest, "The request body could not be read.")
		return
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		writeError(w, media, http.StatusBadRequest, CodeBadRequest, "The request body is empty: send a JSON object with a query.")
		return
	case !utf8.Valid(body):
		writeError(w, media, http.StatusBadRequest, CodeBadRequest, "The request body is not valid UTF-8.")
		return
	case trimmed[0] == '[':
		t.batch(w, r, exec, media, body)
		return
	}
	p, gqlErr := paramsFromJSON(body)
	if gqlErr != nil {
		writeJSON(w, media, http.StatusBadRequest, encodeResponse(&graphql.Response{Errors: gqlerror.List{gqlErr}}))
		return
	}
	t.single(w, r, exec, media, p, false)
}

// outcome is what became of one operation.
type outcome int

const (
	executed    outcome = iota // it ran: 200
	refused                    // a request error: 400 or 200, by media type
	wrongMethod                // a mutation over GET: 405
	outOfTime                  // the request's time ran out before it could run
	notGraphQL                 // the parameters are not a GraphQL request: 400
)

func (t httpTransport) single(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, p *graphql.RawParams, getOnly bool) {
	resp, out := run(r.Context(), exec, p, getOnly)
	status := http.StatusOK
	switch out {
	case refused:
		if media == MediaGraphQLResponse {
			status = http.StatusBadRequest
		}
	case notGraphQL:
		status = http.StatusBadRequest
	case wrongMethod:
		status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", "POST")
	case outOfTime:
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, media, status, encodeResponse(resp))
}

// run takes one operation as far as it can go.
func run(ctx context.Context, exec graphql.GraphExecutor, p *graphql.RawParams, getOnly bool) (*graphql.Response, outcome) {
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return errorResponse(CodeBadRequest, "Send a query: {\"query\": \"{ ... }\"}."), notGraphQL
	}
	opCtx, errs := exec.CreateOperationContext(ctx, p)
	if errs != nil {
		if len(errs) > maxErrors {
			rest := len(errs) - maxErrors
			code, _ := errs[0].Extensions["code"].(string)
			errs = append(errs[:maxErrors:maxErrors], requestError(code, "%d more errors are left out.", rest))
		}
		return exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs), refused
	}
	if getOnly && opCtx.Operation.Operation != ast.Query {
		err := requestError(CodeMethodNotAllowed, "A %s needs POST: GET runs queries only.", opCtx.Operation.Operation)
		return exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), gqlerror.List{err}), wrongMethod
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil { // the context ended before the operation could run
		return errorResponse(CodeTimeout, "The request ran out of time before it could run."), outOfTime
	}
	return resp, executed
}

func (t httpTransport) batch(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, body []byte) {
	if t.maxBatch <= 0 {
		writeError(w, media, http.StatusBadRequest, CodeBatchingDisabled,
			"Batched requests (a JSON array) are not accepted: send one operation per request.")
		return
	}
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		writeError(w, media, http.StatusBadRequest, CodeBadRequest, "The request body is not valid JSON.")
		return
	}
	switch {
	case len(items) == 0:
		writeError(w, media, http.StatusBadRequest, CodeBadRequest, "The batch is empty.")
		return
	case len(items) > t.maxBatch:
		writeError(w, media, http.StatusBadRequest, CodeBatchTooLarge,
			"The batch has %d operations; the limit is %d.", len(items), t.maxBatch)
		return
	}
	var out bytes.Buffer
	out.WriteByte('[')
	for i, item := range items {
		if i > 0 {
			out.WriteByte(',')
		}
		var resp *graphql.Response
		if p, err := paramsFromJSON(item); err != nil {
			resp = errorResponse(CodeBadRequest, "operation %d: %s", i, err.Message)
		} else {
			resp, _ = run(r.Context(), exec, p, false)
		}
		out.Write(encodeResponse(resp))
	}
	out.WriteByte(']')
	writeJSON(w, media, http.StatusOK, out.Bytes())
}

// paramsFromJSON reads a POST body: a JSON object whose query and operationName are strings or
// null, and whose variables and extensions are objects or null. Other keys are ignored, as
// the specification allows; keys are matched exactly. What it refuses, it refuses with the
// request error (BAD_REQUEST) that the client reads.
func paramsFromJSON(body []byte) (*graphql.RawParams, *gqlerror.Error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, requestError(CodeBadRequest, "The request body must be a JSON object with a query.")
		}
		return nil, requestError(CodeBadRequest, "The request body is not valid JSON.")
	}
	if fields == nil {
		return nil, requestError(CodeBadRequest, "The request body must be a JSON object with a query.")
	}
	p := &graphql.RawParams{}
	if err := decodeString(fields["query"], "query", &p.Query); err != nil {
		return nil, err
	}
	if err := decodeString(fields["operationName"], "operationName", &p.OperationName); err != nil {
		return nil, err
	}
	var err *gqlerror.Error
	if p.Variables, err = decodeObject(fields["variables"], "variables"); err != nil {
		return nil, err
	}
	if p.Extensions, err = decodeObject(fields["extensions"], "extensions"); err != nil {
		return nil, err
	}
	return p, nil
}

// paramsFromURL reads the parameters of a GET: query and operationName as they are, variables
// and extensions as JSON objects. Like paramsFromJSON, it refuses with a request error.
func paramsFromURL(rawQuery string) (*graphql.RawParams, *gqlerror.Error) {
	q, parseErr := url.ParseQuery(rawQuery)
	if parseErr != nil {
		return nil, requestError(CodeBadRequest, "The URL's query string is malformed.")
	}
	for k, v := range q {
		for _, s := range v {
			if !utf8.ValidString(s) {
				return nil, requestError(CodeBadRequest, "The parameter %s is not valid UTF-8.", strconv.Quote(k))
			}
		}
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	var err *gqlerror.Error
	if v := q.Get("variables"); v != "" {
		if p.Variables, err = decodeObject(json.RawMessage(v), "variables"); err != nil {
			return nil, err
		}
	}
	if v := q.Get("extensions"); v != "" {
		if p.Extensions, err = decodeObject(json.RawMessage(v), "extensions"); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func decodeString(raw json.RawMessage, name string, dst *string) *gqlerror.Error {
	if isNull(raw) {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return requestError(CodeBadRequest, "The parameter %s must be a string.", name)
	}
	return nil
}

func decodeObject(raw json.RawMessage, name string) (map[string]any, *gqlerror.Error) {
	if isNull(raw) {
		return nil, nil
	}
	if raw = bytes.TrimSpace(raw); raw[0] != '{' {
		return nil, requestError(CodeBadRequest, "The parameter %s must be a JSON object.", name)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, requestError(CodeBadRequest, "The parameter %s must be a JSON object.", name)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, requestError(CodeBadRequest, "The parameter %s must be one JSON object.", name)
	}
	return m, nil
}

// Negotiate picks the response's media type from the Accept header: the acceptable one with
// the highest quality, the one named exactly over one matched by a wildcard, and
// application/graphql-response+json when both are named exactly. No Accept header, or only
// wildcards, gives application/json, which every client understands. ok is false when
// neither is acceptable.
func Negotiate(accept []string) (media string, ok bool) {
	type match struct {
		q    float64
		spec int // 3 exact, 2 application/*, 1 */*, 0 no match
	}
	candidates := [2]string{MediaGraphQLResponse, MediaJSON}
	var found [2]match
	named := false
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			named = true
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
					q = 0
				}
			}
			for i, c := range candidates {
				spec := 0
				switch {
				case mt == c:
					spec = 3
				case mt == "application/*":
					spec = 2
				case mt == "*/*":
					spec = 1
				}
				if spec > found[i].spec {
					found[i] = match{q: q, spec: spec}
				}
			}
		}
	}
	if !named {
		return MediaJSON, true
	}
	g, j := found[0], found[1]
	switch {
	case g.q <= 0 && j.q <= 0:
		return "", false
	case g.q != j.q:
		if g.q > j.q {
			return MediaGraphQLResponse, true
		}
		return MediaJSON, true
	case g.spec > j.spec:
		return MediaGraphQLResponse, true
	case j.spec > g.spec:
		return MediaJSON, true
	case g.spec == 3:
		return MediaGraphQLResponse, true
	default:
		return MediaJSON, true
	}
}

func errorResponse(code, format string, args ...any) *graphql.Response {
	return &graphql.Response{Errors: gqlerror.List{requestError(code, format, args...)}}
}

// encodeResponse writes a response with its data entry only if it has one: a request error
// has none (gqlgen's Response would say "data": null).
func encodeResponse(resp *graphql.Response) []byte {
	var buf bytes.Buffer
	buf.Grow(len(resp.Data) + len(`{"data":}`))
	buf.WriteByte('{')
	sep := ""
	if resp.Data != nil {
		buf.WriteString(`"data":`)
		buf.Write(resp.Data)
		sep = ","
	}
	if len(resp.Errors) > 0 {
		b, err := json.Marshal(resp.Errors)
		if err != nil {
			b = []byte(`[{"message":"Internal error.","extensions":{"code":"INTERNAL"}}]`)
		}
		buf.WriteString(sep + `"errors":`)
		buf.Write(b)
		sep = ","
	}
	if len(resp.Extensions) > 0 {
		if b, err := json.Marshal(resp.Extensions); err == nil {
			buf.WriteString(sep + `"extensions":`)
			buf.Write(b)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

func writeError(w http.ResponseWriter, media string, status int, code, format string, args ...any) {
	writeJSON(w, media, status, encodeResponse(errorResponse(code, format, args...)))
}

func writeJSON(w http.ResponseWriter, media string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", media+"; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
