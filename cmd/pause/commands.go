package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"pause"
	"pause/app"
	"pause/auth"
	"pause/content"
)

func token(cfg app.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	role := fs.String("role", "editor", "role: viewer, editor or admin")
	sub := fs.String("sub", "", "subject: who the token is for (required)")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the token is valid")
	fs.StringVar(&cfg.Data, "data", cfg.Data, "bolt store file; the development secret is kept beside it (PAUSE_DATA)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sub == "" {
		return fmt.Errorf("token: --sub is required (who is the token for?)")
	}
	r, ok := pause.ParseRole(*role)
	if !ok {
		return fmt.Errorf("token: unknown role %q (use viewer, editor or admin)", *role)
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	secret, err := cfg.Secret()
	if err != nil {
		return err
	}
	tokens, err := auth.NewTokens(secret)
	if err != nil {
		return err
	}
	tok, err := tokens.Issue(*sub, r, *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

func importContent(ctx context.Context, cfg app.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.StoreFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("import: give one folder: pause import DIR")
	}
	cms, closeStore, err := cfg.Open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	report, err := content.Import(app.System(ctx), cms, os.DirFS(fs.Arg(0)))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	fmt.Fprintln(stdout, report.String())
	return closeStore()
}

func exportContent(ctx context.Context, cfg app.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.StoreFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("export: give one folder: pause export DIR")
	}
	cms, closeStore, err := cfg.Open(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	report, err := content.Export(app.System(ctx), cms, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintln(stdout, report.String())
	return nil
}

func table(ctx context.Context, cfg app.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Table, "table", cfg.Table, "DynamoDB table (PAUSE_TABLE)")
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("table: the one subcommand is create: pause table create [--table NAME]")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.CreateTable(ctx); err != nil {
		return fmt.Errorf("table create: %w", err)
	}
	fmt.Fprintf(stdout, "table %s is ready\n", cfg.Table)
	return nil
}
