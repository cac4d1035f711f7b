// Command pause runs the Pause headless CMS and manages its content.
//
//	pause serve            serve the API (and GraphiQL in development)
//	pause token            print a signed token for an editor
//	pause import DIR       load Markdown content files into the store
//	pause export DIR       write the store out as Markdown content files
//	pause table create     create the DynamoDB table
//	pause schema           print the GraphQL schema (SDL)
//	pause user create      create an editor's account and print their setup link
//	pause webhook verify F check the signature of a captured webhook delivery
//
// Configuration comes from the environment (PAUSE_ADDR, PAUSE_STORE, PAUSE_DATA, PAUSE_TABLE,
// PAUSE_ENV, PAUSE_JWT_SECRET, PAUSE_CORS_ORIGINS, PAUSE_CORS_HEADERS, and the AWS SDK's own
// variables); flags override it. This is, with lambda/, the only place that reads the
// environment and wires the packages together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"pause/app"
	"pause/media"
	"pause/server/graphiql"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "pause:", err)
		}
		os.Exit(1)
	}
}

const usage = `Usage: pause <command> [flags]

Commands:
  serve              serve the GraphQL API on PAUSE_ADDR (default :8080)
  token              print a token: pause token --role editor --sub alice --ttl 24h
  import DIR         load content files (Markdown with YAML front matter) and media/ into the store
  export DIR         write the store out as content files, with the media library in DIR/media
  table create       create the DynamoDB table PAUSE_TABLE (PAUSE_STORE=dynamodb)
  schema             print the GraphQL schema (SDL), for code generators: pause schema > schema.graphqls
  user create        create a user and print their setup link: pause user create --email E --name N --role admin
  user reset|list    print a new password link for a user; list the users
  totp SECRET        print the current code of a TOTP secret (as an authenticator app does)
  webhook verify F   check a captured webhook delivery (F: the HTTP request) against its secret

Run "pause <command> -h" for a command's flags.
`

// run is the whole program, testable: it reads configuration through getenv only and writes
// only to stdout and stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cfg := app.FromEnv(getenv)
	cfg.AWS = loadAWS
	cfg.GraphiQL = graphiql.Handler() // served in development only (server.Config.GraphiQL)
	cfg.DiskMedia = media.OpenDisk    // the media library's files beside the data file
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, cfg, rest, stderr)
	case "token":
		return token(cfg, rest, stdout, stderr)
	case "import":
		return importContent(ctx, cfg, rest, stdout, stderr)
	case "export":
		return exportContent(ctx, cfg, rest, stdout, stderr)
	case "table":
		return table(ctx, cfg, rest, stdout, stderr)
	case "schema":
		return printSchema(rest, stdout, stderr)
	case "user":
		return user(ctx, cfg, rest, stdout, stderr)
	case "totp":
		return totpCode(rest, stdout)
	case "webhook":
		return webhookCmd(rest, getenv, os.Stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// loadAWS loads the AWS SDK's default configuration: AWS_REGION, credentials from the
// environment, the shared files' profiles (AWS_PROFILE, SSO) or an instance role, and
// AWS_ENDPOINT_URL_DYNAMODB to point the store at DynamoDB Local.
func loadAWS(ctx context.Context) (aws.Config, error) {
	return config.LoadDefaultConfig(ctx)
}
