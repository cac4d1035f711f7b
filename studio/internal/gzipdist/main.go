// Command gzipdist writes the studio's dist/ from esbuild's output (build.sh runs it): every
// .js and .css file of the build folder, and index.html made from src/index.html with the
// hashed names of the entry's script and stylesheet, each gzipped (compress/gzip, best
// compression, no name and no time in the header), so that the bytes depend only on esbuild's
// output and the Go toolchain. Files of dist/ that the build no longer makes are removed.
//
// Usage: go run ./internal/gzipdist BUILD_DIR INDEX_TEMPLATE DIST_DIR
package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gzipdist:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 3 {
		return errors.New("usage: gzipdist BUILD_DIR INDEX_TEMPLATE DIST_DIR")
	}
	build, tmpl, out := args[0], args[1], args[2]
	entries, err := os.ReadDir(build)
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	var script, style string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css")) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(build, name))
		if err != nil {
			return err
		}
		files[name] = b
		switch {
		case strings.HasPrefix(name, "main-") && strings.HasSuffix(name, ".js"):
			script = name
		case strings.HasPrefix(name, "main-") && strings.HasSuffix(name, ".css"):
			style = name
		}
	}
	if script == "" || style == "" {
		return fmt.Errorf("%s has no main-HASH.js and main-HASH.css", build)
	}
	page, err := os.ReadFile(tmpl)
	if err != nil {
		return err
	}
	for placeholder, name := range map[string]string{"MAIN_JS": script, "MAIN_CSS": style} {
		if !bytes.Contains(page, []byte(placeholder)) {
			return fmt.Errorf("%s has no %s", tmpl, placeholder)
		}
		page = bytes.ReplaceAll(page, []byte(placeholder), []byte(name))
	}
	files["index.html"] = page
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	keep := []string{}
	for name, b := range files {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return err
		}
		if _, err := zw.Write(b); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, name+".gz"), buf.Bytes(), 0o644); err != nil {
			return err
		}
		keep = append(keep, name+".gz")
	}
	old, err := os.ReadDir(out)
	if err != nil {
		return err
	}
	for _, e := range old {
		if !slices.Contains(keep, e.Name()) {
			if err := os.Remove(filepath.Join(out, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}
