package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"pause/webhook"
)

const webhookUsage = `Usage: pause webhook verify [--secret S] [--ignore-time] FILE

Checks a captured webhook delivery: FILE (or - for standard input) holds the HTTP request as
it arrived, its request line, its headers (webhook-id, webhook-timestamp, webhook-signature),
a blank line and its body. The secret (whsec_...) comes from --secret or PAUSE_WEBHOOK_SECRET.
The timestamp must be within five minutes of now, as receivers check it, unless --ignore-time.
`

// webhookCmd runs "pause webhook verify".
func webhookCmd(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprint(stderr, webhookUsage)
		return errors.New(`webhook: the only subcommand is "verify"`)
	}
	fs := flag.NewFlagSet("webhook verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, webhookUsage) }
	secret := fs.String("secret", getenv("PAUSE_WEBHOOK_SECRET"), "the endpoint's signing secret (PAUSE_WEBHOOK_SECRET)")
	ignoreTime := fs.Bool("ignore-time", false, "check the signature only, however old the timestamp")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("webhook verify: give one FILE, or - for standard input")
	}
	if *secret == "" {
		return errors.New("webhook verify: no secret: set --secret or PAUSE_WEBHOOK_SECRET")
	}
	var in io.Reader = stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("webhook verify: %w", err)
		}
		defer f.Close()
		in = f
	}
	raw, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return fmt.Errorf("webhook verify: %w", err)
	}
	// Captures often have bare \n line ends: the head is HTTP's, with \r\n.
	if !bytes.Contains(raw, []byte("\r\n")) {
		raw = bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
	}
	head, body, found := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !found {
		return errors.New("webhook verify: the file is not an HTTP request: no blank line after the headers")
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))))
	if err != nil {
		return fmt.Errorf("webhook verify: the file is not an HTTP request: %w", err)
	}
	if n := req.ContentLength; n >= 0 && n <= int64(len(body)) && req.Header.Get("Content-Length") != "" {
		body = body[:n]
	} else {
		// No length: the body is the rest, less the line end an editor adds to a file.
		body = bytes.TrimSuffix(body, []byte("\r\n"))
	}
	if err := webhook.Verify(*secret, body, req.Header, *ignoreTime); err != nil {
		msg := err.Error()
		if strings.Contains(msg, "timestamp") && !*ignoreTime {
			msg += " (a capture older than five minutes: add --ignore-time to check the signature only)"
		}
		return fmt.Errorf("webhook verify: INVALID: %s", msg)
	}
	var p webhook.Payload
	_ = json.Unmarshal(body, &p)
	fmt.Fprintf(stdout, "valid: %s %s (generation %d) %s %s slug %q version %d\n", p.Type,
		req.Header.Get("webhook-id"), p.Data.Generation, p.Data.ItemType, p.Data.ID, p.Data.Slug, p.Data.Version)
	return nil
}
