package webhook_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pause"
	"pause/webhook"
)

// fakeDNS resolves the names of the tests; every other name does not resolve.
type fakeDNS map[string][]string

func (f fakeDNS) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := f[host]
	if !ok {
		return nil, fmt.Errorf("no such host %s", host)
	}
	var out []netip.Addr
	for _, a := range addrs {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

// TestGuardRefusesEachClass: every forbidden address class is refused, whether the URL names
// the address or a name resolves to it (after DNS resolution), in production; loopback is
// allowed in development only, plain http only to loopback in development; public https
// addresses pass.
func TestGuardRefusesEachClass(t *testing.T) {
	classes := map[string][]string{
		"private":     {"10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "fd00::1", "100.64.0.1", "::ffff:10.1.2.3"},
		"loopback":    {"127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"},
		"link-local":  {"169.254.169.254", "169.254.0.1", "fe80::1"},
		"unspecified": {"0.0.0.0", "::"},
		"multicast":   {"239.1.2.3", "ff0e::1"},
	}
	dns := fakeDNS{"public.example": {"93.184.215.14"}, "mixed.example": {"93.184.215.14", "10.0.0.7"}}
	for class, addrs := range classes {
		for i, a := range addrs {
			dns[fmt.Sprintf("%s-%d.example", class, i)] = []string{a}
		}
	}
	prod := &webhook.Guard{Resolver: dns}
	dev := &webhook.Guard{Resolver: dns, Development: true}
	ctx := context.Background()
	refused := func(g *webhook.Guard, url, why string) {
		t.Helper()
		err := g.CheckURL(ctx, url)
		if pause.ErrorCode(err) != pause.EINVALID || pause.ErrorField(err) != "url" {
			t.Errorf("%s (%s): %v, want EINVALID on url", url, why, err)
		} else if why != "" && !strings.Contains(pause.ErrorMessage(err), why) {
			t.Errorf("%s: %q does not say %q", url, pause.ErrorMessage(err), why)
		}
	}
	for class, addrs := range classes {
		for i, a := range addrs {
			host := a
			if strings.Contains(a, ":") {
				host = "[" + a + "]"
			}
			refused(prod, "https://"+host+"/hook", class)
			refused(prod, fmt.Sprintf("https://%s-%d.example/hook", class, i), class)
			if class != "loopback" {
				refused(dev, "https://"+host+"/hook", class)
			}
		}
	}
	refused(prod, "https://mixed.example/", "private")
	refused(prod, "http://public.example/", "https")
	refused(prod, "http://127.0.0.1:8080/", "https")
	refused(dev, "http://public.example/", "loopback in development")
	refused(prod, "ftp://public.example/", "https")
	refused(prod, "https://user:pw@public.example/", "password")
	refused(prod, "https://nowhere.example/", "does not resolve")
	refused(prod, "/relative", "absolute")
	for _, ok := range []struct {
		g   *webhook.Guard
		url string
	}{{prod, "https://public.example/hook"}, {prod, "https://93.184.215.14:8443/x"}, {dev, "http://127.0.0.1:9/hook"},
		{dev, "https://[::1]/hook"}, {dev, "https://public.example/hook"}} {
		if err := ok.g.CheckURL(ctx, ok.url); err != nil {
			t.Errorf("%s: %v", ok.url, err)
		}
	}
}

// TestSenderChecksAtConnect: a name that passed the check but resolves to a forbidden address
// when the delivery connects (DNS rebinding) is refused at connect time, and nothing reaches
// the address.
func TestSenderChecksAtConnect(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	dns := fakeDNS{"rebind.example": {"127.0.0.1"}}
	s := webhook.NewSender(&webhook.Guard{Resolver: dns})
	secret, _ := s.NewSecret()
	d := s.Send(context.Background(), &pause.Endpoint{URL: fmt.Sprintf("http://rebind.example:%d/", port)}, secret,
		&pause.Event{ID: "evt_1", Type: "article.updated", At: time.Now()})
	if d.Succeeded || !strings.Contains(d.Error, "loopback") || hits.Load() != 0 {
		t.Fatalf("delivery to a name that resolves to loopback: %+v, %d hits", d, hits.Load())
	}
}

// TestSenderFollowsNoRedirect: an endpoint that redirects fails, and the redirect's target is
// never requested.
func TestSenderFollowsNoRedirect(t *testing.T) {
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { targetHits.Add(1) }))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	s := webhook.NewSender(&webhook.Guard{Development: true})
	secret, _ := s.NewSecret()
	d := s.Send(context.Background(), &pause.Endpoint{URL: redirector.URL}, secret, &pause.Event{ID: "evt_1", Type: "tool.updated", At: time.Now()})
	if d.Succeeded || d.StatusCode != http.StatusTemporaryRedirect || targetHits.Load() != 0 {
		t.Fatalf("redirect: %+v, target hit %d times", d, targetHits.Load())
	}
}
