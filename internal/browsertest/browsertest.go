// Package browsertest drives Debian's chromium (make browser installs it) from Go tests with
// chromedp, and finds elements as a person or a screen reader does: by ARIA role and
// accessible name, in the browser's accessibility tree (CDP Accessibility.queryAXTree), never
// by CSS classes. Only tests import it.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Chromium is the browser the tests drive.
const Chromium = "/usr/bin/chromium"

// Browser returns a chromedp context of a new headless chromium, stopped when the test ends.
// Without chromium the test fails in CI (CI=true), where it must run, and is skipped elsewhere.
func Browser(t testing.TB) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: make browser installs it (%v)", Chromium, err)
		}
		t.Skipf("%s is missing: make browser installs it", Chromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium),
		chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Run starts the browser, with no deadline: a deadline here would stop it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// NewContext returns a tab in a new browser context of the same browser: its own cookies and
// storage, as a second person on another computer has.
func NewContext(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	return ctx
}

// Scope names an element a ByRole query looks inside: its role and accessible name.
type Scope struct{ Role, Name string }

// Within returns the scope of the element with the role and name.
func Within(role, name string) Scope { return Scope{role, name} }

// ByRole finds elements by their computed ARIA role and accessible name (any name when name is
// ""), inside the elements of the scopes, outermost first. Elements the tree ignores (hidden)
// do not count.
func ByRole(role, name string, scopes ...Scope) chromedp.QueryOption {
	return chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, n *chromedp.Node) ([]cdp.NodeID, error) {
		roots := []cdp.BackendNodeID{n.BackendNodeID}
		for _, s := range append(scopes, Scope{role, name}) {
			var found []cdp.BackendNodeID
			for _, root := range roots {
				res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{
					BackendNodeID: root, Role: s.Role, AccessibleName: s.Name,
				})
				if err != nil {
					return nil, err
				}
				for _, ax := range res.Nodes {
					if !ax.Ignored && ax.BackendDOMNodeID != 0 {
						found = append(found, ax.BackendDOMNodeID)
					}
				}
			}
			if len(found) == 0 {
				return nil, nil // not there yet: the query waits and looks again
			}
			roots = found
		}
		res, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend, dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: roots})
		if err != nil {
			return nil, err
		}
		return res.NodeIDs, nil
	})
}

// Console collects what a tab's console and network say: every URL requested (with its
// transfer size once loaded) and every error (console errors, exceptions, CSP violations and
// failed loads in the browser log).
type Console struct {
	mu       sync.Mutex
	requests []Request
	problems []string
}

// Request is one request of the page.
type Request struct {
	ID      network.RequestID
	URL     string
	Encoded int64 // bytes on the wire, when the load finished
	Done    bool
}

// Listen starts collecting the tab's events.
func Listen(ctx context.Context) *Console {
	c := &Console{}
	_ = chromedp.Listen(ctx, func(ev any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			c.requests = append(c.requests, Request{ID: ev.RequestID, URL: ev.Request.URL})
		case *network.EventLoadingFinished:
			for i := range c.requests {
				if c.requests[i].ID == ev.RequestID {
					c.requests[i].Encoded, c.requests[i].Done = int64(ev.EncodedDataLength), true
				}
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range ev.Args {
					if a.Description != "" {
						parts = append(parts, a.Description)
					} else {
						parts = append(parts, string(a.Value))
					}
				}
				c.problems = append(c.problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			desc := ""
			if d.Exception != nil {
				desc = d.Exception.Description
			}
			c.problems = append(c.problems, "exception: "+d.Text+" "+desc)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				c.problems = append(c.problems, fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	return c
}

// Requests returns the requests seen so far.
func (c *Console) Requests() []Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Request(nil), c.requests...)
}

// Reset forgets the requests and problems seen so far.
func (c *Console) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests, c.problems = nil, nil
}

// Problems returns the errors seen so far.
func (c *Console) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.problems...)
}

// Eventually calls check until it returns "" or the time is up, and fails the test with its
// last answer then.
func Eventually(t testing.TB, within time.Duration, check func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		msg := check()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Press clicks the button with the name, then waits until the status line (role status) with
// the accessible name status says something other than "" and "working", and fails the test
// unless it says want: for test pages whose buttons report in a status line.
func Press(t testing.TB, ctx context.Context, button, status, want string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(button, ByRole("button", button))); err != nil {
		t.Fatalf("click %q: %v", button, err)
	}
	var got string
	Eventually(t, 30*time.Second, func() string {
		var err error
		got, err = chromedp.Run(ctx, chromedp.Text(status, ByRole("status", status)))
		if err != nil {
			return err.Error()
		}
		if got = strings.TrimSpace(got); got == "" || got == "working" {
			return fmt.Sprintf("after %q the status line still says %q", button, got)
		}
		return ""
	})
	if got != want {
		t.Fatalf("after %q the status says %q, want %q", button, got, want)
	}
}
