// Command lambdazip makes the Lambda deployment package: lambdazip BOOTSTRAP ZIP writes ZIP
// with BOOTSTRAP as its one executable file, named bootstrap, with a fixed timestamp so that
// the same build makes the same zip. `make lambda` runs it; it needs no zip program.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"pause/infra"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "lambdazip:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: lambdazip BOOTSTRAP ZIP")
	}
	in, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer in.Close()
	// Write beside the target and rename, so that a failed run leaves no half zip behind.
	tmp, err := os.CreateTemp(filepath.Dir(args[1]), ".lambdazip-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := infra.Zip(tmp, in); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), args[1])
}
