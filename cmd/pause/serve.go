package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"pause"
	"pause/app"
	"pause/content"
	"pause/webhook"
)

func serve(ctx context.Context, cfg app.Config, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to listen on (PAUSE_ADDR)")
	fs.StringVar(&cfg.Env, "env", cfg.Env, "development or production (PAUSE_ENV)")
	cfg.StoreFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	log := cfg.Logger(stderr)
	cfg.TuneGC()
	cms, closeStore, err := cfg.Open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	handler, err := cfg.Handler(cms, log)
	if err != nil {
		return err
	}
	if err := seed(ctx, cms, log.Info); err != nil {
		return err
	}
	if err := firstAdmin(ctx, cms, cfg.AdminEmail, log.Warn); err != nil {
		return err
	}
	// The periodic work that no request does: scheduled changes become events, webhooks are
	// delivered (app/events.go).
	hooks, err := cfg.Webhooks(cms)
	if err != nil {
		return err
	}
	tickCtx, stopTicks := context.WithCancel(ctx)
	ticker := time.NewTicker(webhook.Interval)
	ticking := make(chan struct{})
	go func() { defer close(ticking); app.RunTicks(tickCtx, cfg.Tick(cms, hooks), ticker.C, log) }()
	defer func() { ticker.Stop(); stopTicks(); <-ticking }()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("serving", "addr", ln.Addr().String(), "env", cfg.Env, "store", cfg.Store,
		"graphql", "http://"+displayAddr(ln.Addr())+"/graphql")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func displayAddr(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && t.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", t.Port)
	}
	return a.String()
}

// seed imports the sample content into an empty store, so that a new user sees a working CMS.
// A store that holds anything, even one item, is left alone.
func seed(ctx context.Context, cms *pause.CMS, logf func(string, ...any)) error {
	ctx = app.System(ctx)
	n := 0
	for _, col := range cms.Collections() {
		c, err := col.Total(ctx)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		n += c
	}
	if n > 0 {
		return nil
	}
	report, err := content.Import(ctx, cms, content.Sample)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	logf("imported the sample content into the empty store", "report", report.String())
	return nil
}
