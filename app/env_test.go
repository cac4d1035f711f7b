package app

import (
	"bufio"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// pauseVar is the name of one of Pause's environment variables.
var pauseVar = regexp.MustCompile(`\bPAUSE_[A-Z0-9_]*[A-Z0-9]\b`)

// documentedVars returns the PAUSE_* names in the first column of the README's table of
// variables (the one whose header is "| variable | default | meaning |").
func documentedVars(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	inTable := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "| variable |"):
			inTable = true
		case inTable && !strings.HasPrefix(line, "|"):
			inTable = false
		case inTable:
			cells := strings.Split(line, "|") // "", first cell, ...
			if len(cells) > 2 {
				names = append(names, pauseVar.FindAllString(cells[1], -1)...)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// readVars returns the PAUSE_* names in the string literals of every Go file of the module,
// tests included: a variable is read where its name is written in code (os.Getenv, getenv,
// a test's environment), not where a comment mentions it.
func readVars(t *testing.T) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "bin", "dist", "data":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		var s scanner.Scanner
		s.Init(fset.AddFile(path, -1, len(src)), src, nil, 0) // comments are skipped
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok != token.STRING {
				continue
			}
			if v, err := strconv.Unquote(lit); err == nil {
				names = append(names, pauseVar.FindAllString(v, -1)...)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Every PAUSE_* variable that the code reads is in the README's table, and every one the table
// names is read: a setting is neither hidden nor documented for nothing.
func TestEnvironmentDocumented(t *testing.T) {
	documented, read := documentedVars(t), readVars(t)
	for _, must := range []string{"PAUSE_STORE", "PAUSE_INTROSPECTION", "PAUSE_LAMBDA_EVENT", "PAUSE_TEST_DYNAMODB_ENDPOINT"} {
		if !slices.Contains(read, must) || !slices.Contains(documented, must) {
			t.Fatalf("%s is missing from the code's names (%v) or the README's (%v): the scan is broken", must, read, documented)
		}
	}
	for _, name := range read {
		if !slices.Contains(documented, name) {
			t.Errorf("the code reads %s, which the README's table of variables does not document", name)
		}
	}
	for _, name := range documented {
		if !slices.Contains(read, name) {
			t.Errorf("the README documents %s, which no code reads", name)
		}
	}
}
