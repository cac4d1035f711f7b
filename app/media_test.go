package app

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pause"
	"pause/auth"
	"pause/media"
	"pause/storetest"
)

// mediaServer serves Pause as `pause serve` does from the environment (the embedded store,
// the media library under the data folder), at a real address that PAUSE_PUBLIC_URL names.
func mediaServer(t *testing.T, vars map[string]string) (*httptest.Server, Config) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	all := map[string]string{
		"PAUSE_ENV": "production", "PAUSE_JWT_SECRET": strings.Repeat("k", 32),
		"PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"), "PAUSE_PUBLIC_URL": "http://localhost:" + port(srv),
	}
	for k, v := range vars {
		all[k] = v
	}
	cfg := FromEnv(env(all))
	cfg.DiskMedia = media.OpenDisk // as cmd/pause sets it
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	cms, closeStore, err := cfg.Open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeStore() })
	h, err := cfg.Handler(cms, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, cfg
}

func port(srv *httptest.Server) string {
	_, p, _ := strings.Cut(srv.Listener.Addr().String(), "]:")
	if p == "" {
		_, p, _ = strings.Cut(srv.Listener.Addr().String(), ":")
	}
	return p
}

// gql posts the query with its variables as the bearer of the token, and returns data and the
// first error's extensions.code.
func gql(t *testing.T, srv *httptest.Server, token, q string, vars map[string]any) (map[string]any, string, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) > 0 {
		code, _ := out.Errors[0].Extensions["code"].(string)
		return out.Data, code, out.Errors[0].Message
	}
	return out.Data, "", ""
}

// upload posts the ticket's form and the file as a browser does.
func upload(t *testing.T, ticket map[string]any, data []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range ticket["fields"].([]any) {
		f := f.(map[string]any)
		_ = mw.WriteField(f["name"].(string), f["value"].(string))
	}
	fw, _ := mw.CreateFormFile("file", "upload")
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err := http.Post(ticket["url"].(string), mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

const (
	createUpload   = `mutation($f: String!, $t: String!, $s: Int!) { createUpload(filename: $f, contentType: $t, size: $s) { url key expiresAt fields { name value } } }`
	completeUpload = `mutation($k: String!, $a: String) { completeUpload(key: $k, alt: $a) { id url width height alt version contentType } }`
)

// TestMediaJourney: through the API `pause serve` runs, an editor uploads a PNG with its
// alternative text, uses it as an article's cover, and the published article's coverImage
// { url alt width height } serves that image with its safe headers; the files an upload
// refuses, and the deletion of an image in use, are refused with clear errors.
func TestMediaJourney(t *testing.T) {
	srv, cfg := mediaServer(t, nil)
	tokens, err := auth.NewTokens([]byte(cfg.JWTSecret))
	if err != nil {
		t.Fatal(err)
	}
	editor, _ := tokens.Issue("alice", pause.RoleEditor, time.Hour)
	admin, _ := tokens.Issue("root", pause.RoleAdmin, time.Hour)
	png := storetest.PNG(120, 80)

	data, code, msg := gql(t, srv, editor, createUpload, map[string]any{"f": "Desk.png", "t": "image/png", "s": len(png)})
	if code != "" {
		t.Fatalf("createUpload: %s %s", code, msg)
	}
	ticket := data["createUpload"].(map[string]any)
	if ticket["url"] != cfg.PublicURL+"/media/upload" {
		t.Fatalf("ticket url %v", ticket["url"])
	}
	if status, body := upload(t, ticket, png); status != 201 {
		t.Fatalf("upload: %d %s", status, body)
	}
	data, code, msg = gql(t, srv, editor, completeUpload, map[string]any{"k": ticket["key"], "a": "A desk by a window"})
	if code != "" {
		t.Fatalf("completeUpload: %s %s", code, msg)
	}
	m := data["completeUpload"].(map[string]any)
	if m["width"] != 120.0 || m["height"] != 80.0 || m["contentType"] != "image/png" {
		t.Fatalf("media %v", m)
	}

	data, code, msg = gql(t, srv, editor, `mutation($m: ID!) { createArticle(input: {title: "Desks", author: {name: "Ada"}, coverImage: {mediaId: $m}}) { id version } }`,
		map[string]any{"m": m["id"]})
	if code != "" {
		t.Fatalf("createArticle: %s %s", code, msg)
	}
	a := data["createArticle"].(map[string]any)
	if _, code, msg = gql(t, srv, editor, `mutation($id: ID!) { publishArticle(id: $id, version: 1) { id } }`, map[string]any{"id": a["id"]}); code != "" {
		t.Fatalf("publish: %s %s", code, msg)
	}
	data, code, _ = gql(t, srv, "", `{ article(slug: "desks") { coverImage { url alt width height } } }`, nil)
	cover, _ := data["article"].(map[string]any)["coverImage"].(map[string]any)
	if code != "" || cover["url"] != m["url"] || cover["alt"] != "A desk by a window" || cover["width"] != 120.0 || cover["height"] != 80.0 {
		t.Fatalf("published cover %v (%s)", cover, code)
	}
	resp, err := http.Get(cover["url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || !bytes.Equal(served, png) || h.Get("Content-Type") != "image/png" ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Security-Policy"), "sandbox") ||
		h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("GET %s: %d, %d bytes, %v", cover["url"], resp.StatusCode, len(served), h)
	}

	_, code, msg = gql(t, srv, admin, `mutation($id: ID!) { deleteMedia(id: $id, version: 1) }`, map[string]any{"id": m["id"]})
	if code != pause.ECONFLICT || !strings.Contains(msg, `article "Desks"`) {
		t.Fatalf("delete an image in use: %s %s", code, msg)
	}

	// Refused before the upload: an SVG, 11 MiB.
	for _, c := range [][3]any{{"logo.svg", "image/svg+xml", 100}, {"big.png", "image/png", 11 << 20}} {
		_, code, msg = gql(t, srv, editor, createUpload, map[string]any{"f": c[0], "t": c[1], "s": c[2]})
		if code != pause.EINVALID {
			t.Fatalf("createUpload %v: %s %s", c, code, msg)
		}
	}
	// A PNG sent as a JPEG is refused by the upload, and there is nothing to complete.
	data, _, _ = gql(t, srv, editor, createUpload, map[string]any{"f": "photo.jpg", "t": "image/jpeg", "s": len(png)})
	ticket = data["createUpload"].(map[string]any)
	if status, body := upload(t, ticket, png); status != 400 || !strings.Contains(body, "InvalidContent") {
		t.Fatalf("a PNG as a JPEG: %d %s", status, body)
	}
	_, code, msg = gql(t, srv, editor, completeUpload, map[string]any{"k": ticket["key"], "a": "x"})
	if code != pause.ENOTFOUND {
		t.Fatalf("complete a refused upload: %s %s", code, msg)
	}
	data, _, _ = gql(t, srv, editor, `{ mediaItems(search: "DESK") { nodes { id } pageInfo { hasNextPage } } }`, nil)
	if nodes := data["mediaItems"].(map[string]any)["nodes"].([]any); len(nodes) != 1 {
		t.Fatalf("mediaItems: %v", nodes)
	}
}
