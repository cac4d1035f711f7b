package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"pause"
	"pause/accounts"
	"pause/app"
)

const userUsage = `Usage:
  pause user create --email E --name N --role admin   create a user and print their setup link
  pause user reset --email E                          print a new link to choose a new password
  pause user list                                     list the users
`

// user manages editors' accounts from the command line, on the configured store (bolt, or
// DynamoDB as for import): the first admin of a deployed stage is one command.
func user(ctx context.Context, cfg app.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, userUsage)
		return fmt.Errorf("user: give a subcommand: create, reset or list")
	}
	fs := flag.NewFlagSet("user "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.StoreFlags(fs)
	fs.StringVar(&cfg.PublicURL, "url", cfg.PublicURL, "where browsers reach Pause, for the link (PAUSE_PUBLIC_URL)")
	email := fs.String("email", "", "the user's email address")
	name := fs.String("name", "", "the user's name (create)")
	role := fs.String("role", "editor", "viewer, editor or admin (create)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	open := func() (*pause.CMS, func() error, error) {
		return cfg.Open(ctx)
	}
	ctx = app.System(ctx)
	switch args[0] {
	case "create":
		r, ok := pause.ParseRole(*role)
		if !ok {
			return fmt.Errorf("user create: unknown role %q (use viewer, editor or admin)", *role)
		}
		cms, closeStore, err := open()
		if err != nil {
			return err
		}
		defer closeStore()
		u, link, err := cms.InviteUser(ctx, *email, *name, r)
		if err != nil {
			return fmt.Errorf("user create: %s", pause.ErrorMessage(err))
		}
		printLink(stdout, u, link)
		return closeStore()
	case "reset":
		cms, closeStore, err := open()
		if err != nil {
			return err
		}
		defer closeStore()
		u, err := findUser(ctx, cms, *email)
		if err != nil {
			return fmt.Errorf("user reset: %w", err)
		}
		u, link, err := cms.ResetUser(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("user reset: %s", pause.ErrorMessage(err))
		}
		printLink(stdout, u, link)
		return closeStore()
	case "list":
		cms, closeStore, err := open()
		if err != nil {
			return err
		}
		defer closeStore()
		users, err := cms.Users(ctx)
		if err != nil {
			return fmt.Errorf("user list: %s", pause.ErrorMessage(err))
		}
		for _, u := range users {
			state := "active"
			switch {
			case u.Disabled():
				state = "disabled"
			case u.PasswordHash == "" && u.Issuer == "":
				state = "invited"
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, strings.ToLower(string(u.Role)), state, u.Name)
		}
		return closeStore()
	}
	fmt.Fprint(stderr, userUsage)
	return fmt.Errorf("user: unknown subcommand %q", args[0])
}

func findUser(ctx context.Context, cms *pause.CMS, email string) (*pause.User, error) {
	e, err := pause.NormalizeEmail(email)
	if err != nil {
		return nil, fmt.Errorf("--email: %s", pause.ErrorMessage(err))
	}
	users, err := cms.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Email == e {
			return u, nil
		}
	}
	return nil, fmt.Errorf("no user has the email %s", e)
}

func printLink(w io.Writer, u *pause.User, link string) {
	fmt.Fprintf(w, "%s (%s) can choose a password with this link, valid for %s and only once:\n\n  %s\n\n",
		u.Email, strings.ToLower(string(u.Role)), time.Until(u.Link.ExpiresAt).Round(time.Hour), link)
	if strings.HasPrefix(link, "/") {
		fmt.Fprintln(w, "(PAUSE_PUBLIC_URL is not set: put the API's address, such as https://cms.example.com, before it.)")
	}
}

// firstAdmin makes sure that a new installation can be taken over: in a store without users
// it creates the first admin (PAUSE_ADMIN_EMAIL, admin@example.com by default) and logs their
// setup link. While nobody has set a password, a start after that link expired logs a new
// one; a link still valid (from `pause user create`, say) is left alone.
func firstAdmin(ctx context.Context, cms *pause.CMS, email string, logf func(string, ...any)) error {
	ctx = app.System(ctx)
	users, err := cms.Users(ctx)
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	var admin *pause.User
	for _, u := range users {
		if u.PasswordHash != "" || u.Issuer != "" {
			return nil // someone has signed in: nothing to do
		}
		if u.Role == pause.RoleAdmin && admin == nil {
			admin = u
		}
	}
	var link string
	if admin != nil && admin.Link != nil && time.Now().Before(admin.Link.ExpiresAt) {
		logf("no user has signed in yet: use the setup link printed when the first admin was made, or print a new one with pause user reset",
			"email", admin.Email, "link_expires", admin.Link.ExpiresAt)
		return nil
	}
	if admin == nil {
		if admin, link, err = cms.InviteUser(ctx, email, "Admin", pause.RoleAdmin); err != nil {
			return fmt.Errorf("first admin: %s", pause.ErrorMessage(err))
		}
	} else if admin, link, err = cms.ResetUser(ctx, admin.ID); err != nil {
		return fmt.Errorf("first admin: %s", pause.ErrorMessage(err))
	}
	logf("no user has signed in yet: set up the first admin with this link (valid 24 h, once)",
		"email", admin.Email, "link", link)
	return nil
}

// totpCode prints the current code of a TOTP secret, as an authenticator app would: for
// scripts and for trying the sign-in with curl.
func totpCode(args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("totp: give the secret: pause totp SECRET")
	}
	code, err := accounts.TOTPCode(strings.ToUpper(strings.TrimSpace(args[0])), time.Now())
	if err != nil {
		return fmt.Errorf("totp: %w", err)
	}
	fmt.Fprintln(stdout, code)
	return nil
}
