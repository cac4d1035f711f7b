package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"pause"
	"pause/media"
)

// The media library's settings (PAUSE_MEDIA_*): where the files are kept, where the public
// reads them, and the largest file taken.
type mediaConfig struct {
	// Bucket is PAUSE_MEDIA_BUCKET: the S3 bucket of the files. Unset, the files are kept
	// under the data folder with the embedded store (PAUSE_STORE=bolt), and there is no media
	// library with DynamoDB.
	Bucket string
	// URL is PAUSE_MEDIA_URL: where the public reads the files (the CloudFront distribution
	// in front of the bucket); on disk, PublicBase.
	URL string
	// MaxBytes is PAUSE_MEDIA_MAX_BYTES: the largest file taken (pause.DefaultMediaMaxBytes).
	MaxBytes int64
}

// maxMediaBytes bounds PAUSE_MEDIA_MAX_BYTES: S3's single POST takes up to 5 GB, the local
// endpoint buffers nothing, but a library of images needs no more.
const maxMediaBytes = 100 << 20

func (c *Config) readMedia(r *envReader) {
	c.Media.Bucket = r.get("PAUSE_MEDIA_BUCKET")
	c.Media.URL = strings.TrimRight(r.get("PAUSE_MEDIA_URL"), "/")
	c.Media.MaxBytes = int64(r.count("PAUSE_MEDIA_MAX_BYTES", 1<<10, maxMediaBytes))
}

// MediaDir is the folder of the media library's files on disk: media/ beside the data file.
func (c Config) MediaDir() string { return filepath.Join(filepath.Dir(c.Data), "media") }

// mediaBlobs returns the storage of the media library's files: the bucket, else the data
// folder with the embedded store when DiskMedia is set; nil (no media library) otherwise.
// Pending uploads left on disk more than a day are swept first.
func (c Config) mediaBlobs(ctx context.Context) (pause.Blobs, error) {
	maxBytes := c.Media.MaxBytes
	if maxBytes == 0 {
		maxBytes = pause.DefaultMediaMaxBytes
	}
	switch {
	case c.Media.Bucket != "":
		if c.AWS == nil {
			return nil, errors.New("app: the media bucket needs Config.AWS, the AWS configuration's loader")
		}
		cfg, err := c.AWS(ctx)
		if err != nil {
			return nil, fmt.Errorf("load the AWS configuration: %w", err)
		}
		if c.Media.URL == "" {
			return nil, errors.New("PAUSE_MEDIA_URL must be set with PAUSE_MEDIA_BUCKET: the address where the public reads the files")
		}
		return &media.S3{Bucket: c.Media.Bucket, Region: cfg.Region, Credentials: cfg.Credentials,
			PublicURL: c.Media.URL, Client: http.DefaultClient}, nil
	case c.Store == "bolt" && c.DiskMedia != nil:
		secret, err := c.Secret()
		if err != nil {
			return nil, nil // no secret to sign uploads with (a CLI command): no uploads
		}
		base := c.Media.URL
		if base == "" {
			base = c.PublicBase()
		}
		return c.DiskMedia(c.MediaDir(), secret, base, maxBytes)
	}
	return nil, nil
}

// mediaHandler returns the handler of /media/ for the CMS: the uploads and files of its media
// library when they are on disk, else nil.
func mediaHandler(cms *pause.CMS) http.Handler {
	if d, ok := cms.Blobs().(interface{ Handler() http.Handler }); ok {
		return d.Handler()
	}
	return nil
}
