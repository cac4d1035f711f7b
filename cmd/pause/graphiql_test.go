package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"pause/internal/browsertest"
)

// TestGraphiQL is a person's first minutes with `pause serve`: they open / in a browser, replace
// the query with the seed page's, run it and read the article's title in the result. Every
// request the page makes goes to the server itself (nothing from a CDN: GraphiQL works
// offline), and the console stays free of errors (no CSP violation, no failed load).
func TestGraphiQL(t *testing.T) {
	in := start(t, map[string]string{
		"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"), "PAUSE_ENV": "development",
	})
	defer in.stop()
	var seed page // the seed article of the README's tour, as the API gives it
	in.must("", pageQuery, nil, &seed)
	if seed.Article == nil || seed.Article.Title == "" {
		t.Fatalf("no seed article: %+v", seed)
	}
	title := seed.Article.Title
	ctx := browsertest.Browser(t)

	var (
		mu       sync.Mutex
		requests []string // every URL the page asked for
		problems []string // console errors, exceptions, error entries of the browser log
	)
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				problems = append(problems, fmt.Sprintf("console.%s: %s", ev.Type, consoleArgs(ev.Args)))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text+" "+exceptionDescription(ev.ExceptionDetails))
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	run := func(what string, a chromedp.Action[chromedp.Void]) {
		t.Helper()
		actx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if _, err := chromedp.Run(actx, a); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	run("open GraphiQL", chromedp.Navigate(in.url+"/"))
	// The query editor is CodeMirror: its textbox takes the keyboard. Select everything in it
	// and type the seed page's query in its place (one insertion, as a paste would be, so that
	// the editor's bracket completion adds nothing).
	query := `query SeedPage { article(slug: "what-is-asynchronous-communication-really") { title author { name } } }`
	run("focus the query editor", chromedp.Focus("textbox in the Query Editor", browsertest.ByRole("textbox", "", browsertest.Within("region", "Query Editor"))))
	run("select the query", chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	run("type the query", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: query})
		return err
	}))
	// GraphiQL reads the operation's name from the editor a moment after the change, and shows
	// it as the tab's title: run it once the tab says so, as a person would see it.
	run("see the operation's name on its tab", chromedp.WaitVisible(`tab "SeedPage"`, browsertest.ByRole("tab", "SeedPage")))
	run("run the query", chromedp.Click(`button "Execute query (Ctrl-Enter)"`, browsertest.ByRole("button", "Execute query (Ctrl-Enter)")))

	var result string
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(result, title) {
		if time.Now().After(deadline) || strings.Contains(result, `"errors"`) {
			t.Fatalf("the result window does not show %q; it shows:\n%s", title, result)
		}
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		result, err = chromedp.Run(actx, chromedp.Text(`region "Result Window"`, browsertest.ByRole("region", "Result Window")))
		cancel()
		if err != nil {
			t.Fatalf("read the result: %v", err)
		}
	}
	for _, want := range []string{`"author"`, `"Arjun Rajkumar"`} {
		if !strings.Contains(result, want) {
			t.Errorf("the result lacks %s:\n%s", want, result)
		}
	}
	// What the editor sent is what was typed: the result has the fields of this query only.
	if strings.Contains(result, "bodyHtml") || strings.Contains(result, "totalCount") {
		t.Errorf("the result has fields of another query than the one typed:\n%s", result)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(requests) < 3 {
		t.Errorf("the page made %d requests (%q): the listener saw nothing?", len(requests), requests)
	}
	self, _ := url.Parse(in.url)
	sawGraphQL := false
	for _, r := range requests {
		u, err := url.Parse(r)
		switch {
		case err != nil:
			t.Errorf("request to an unparsable URL %q", r)
		case u.Scheme == "data":
			// inlined by GraphiQL's stylesheet (fonts, icons): no request leaves the page
		case u.Host != self.Host || u.Scheme != "http":
			t.Errorf("the page asked for %s: only %s may be asked", r, self.Host)
		case u.Path == "/graphql":
			sawGraphQL = true
		}
	}
	if !sawGraphQL {
		t.Errorf("no request reached /graphql: %q", requests)
	}
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a.Description != "":
			parts = append(parts, a.Description)
		default:
			parts = append(parts, string(a.Value))
		}
	}
	return strings.Join(parts, " ")
}

func exceptionDescription(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// In production, `pause serve` has no GraphiQL: neither the page nor its assets.
func TestNoGraphiQLInProduction(t *testing.T) {
	in := start(t, map[string]string{
		"PAUSE_ADDR": freeAddr(t), "PAUSE_DATA": filepath.Join(t.TempDir(), "pause.db"),
		"PAUSE_ENV": "production", "PAUSE_JWT_SECRET": strings.Repeat("p", 32),
	})
	defer in.stop()
	for _, path := range []string{"/", "/graphiql/graphiql.js", "/graphiql/graphiql.css"} {
		resp, err := http.Get(in.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || strings.Contains(strings.ToLower(string(body)), "graphiql") && path == "/" {
			t.Errorf("production GET %s = %d %.200s, want 404", path, resp.StatusCode, body)
		}
	}
}
