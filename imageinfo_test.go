package pause_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"pause"
)

// encoded returns the image of w by h pixels in the format, by Go's own encoders.
func encoded(t *testing.T, format string, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF puts an APP1 segment of n bytes after the JPEG's SOI, as cameras do.
func withEXIF(jpg []byte, n int) []byte {
	seg := []byte{0xff, 0xe1, byte((n + 2) >> 8), byte(n + 2)}
	seg = append(seg, bytes.Repeat([]byte{'E'}, n)...)
	return append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
}

func riff(chunk string, payload []byte) []byte {
	b := []byte("RIFF\x00\x00\x00\x00WEBP" + chunk)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, payload...)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func box(typ string, body ...[]byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(bytes.Join(body, nil))))
	return append(append(b, typ...), bytes.Join(body, nil)...)
}

// avif returns the boxes of an AVIF file up to its ispe property: ftyp, then meta (a full
// box) with a handler, and iprp/ipco/ispe.
func avif(brand string, w, h uint32) []byte {
	ispe := append([]byte{0, 0, 0, 0}, binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)...)
	return append(box("ftyp", []byte(brand), []byte{0, 0, 0, 0}, []byte("mif1miaf")),
		box("meta", []byte{0, 0, 0, 0}, box("hdlr", make([]byte, 25)), box("iprp", box("ipco", box("ispe", ispe))))...)
}

// TestInspectImage: the type comes from the bytes and the size from the header, as Go's
// decoders read them for PNG, JPEG and GIF, and as the WebP and AVIF specifications place it.
func TestInspectImage(t *testing.T) {
	for _, format := range []string{"png", "jpeg", "gif"} {
		for _, size := range [][2]int{{1, 1}, {40, 30}, {1000, 7}} {
			data := encoded(t, format, size[0], size[1])
			if format == "jpeg" {
				data = withEXIF(data, 30000)
			}
			cfg, name, err := image.DecodeConfig(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := pause.InspectImage(data[:min(len(data), pause.PeekBytes)])
			if err != nil || got.ContentType != "image/"+name || got.Width != cfg.Width || got.Height != cfg.Height {
				t.Errorf("%s %v: %+v %v, DecodeConfig says %s %dx%d", format, size, got, err, name, cfg.Width, cfg.Height)
			}
		}
	}
	vp8l := []byte{0x2f}
	vp8l = binary.LittleEndian.AppendUint32(vp8l, uint32(640-1)|uint32(480-1)<<14)
	vp8 := []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a}
	vp8 = binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(vp8, 300), 200)
	vp8x := []byte{0x10, 0, 0, 0, 0xff, 0x0f, 0x00, 0x37, 0x04, 0x00} // 4096 x 1080
	for _, c := range []struct {
		name string
		data []byte
		want pause.ImageInfo
		ok   bool
	}{
		{"webp lossless", riff("VP8L", vp8l), pause.ImageInfo{ContentType: "image/webp", Width: 640, Height: 480}, true},
		{"webp lossy", riff("VP8 ", append(vp8, 0, 0)), pause.ImageInfo{ContentType: "image/webp", Width: 300, Height: 200}, true},
		{"webp extended", riff("VP8X", append(vp8x, 0, 0)), pause.ImageInfo{ContentType: "image/webp", Width: 4096, Height: 1080}, true},
		{"avif", avif("avif", 1920, 1080), pause.ImageInfo{ContentType: "image/avif", Width: 1920, Height: 1080}, true},
		{"heic is not avif", avif("heic", 1920, 1080), pause.ImageInfo{}, true},
		{"svg", []byte("\xef\xbb\xbf  <?xml version=\"1.0\"?>\n<!-- x --><svg xmlns=\"http://www.w3.org/2000/svg\"/>"), pause.ImageInfo{ContentType: "image/svg+xml"}, true},
		{"html", []byte("<html><body>hi</body></html>"), pause.ImageInfo{}, true},
		{"text", []byte("GIF? no"), pause.ImageInfo{}, true},
		{"truncated png", encoded(t, "png", 4, 4)[:20], pause.ImageInfo{ContentType: "image/png"}, false},
		{"jpeg without a frame in its head", withEXIF(encoded(t, "jpeg", 4, 4), 60000)[:2000], pause.ImageInfo{ContentType: "image/jpeg"}, false},
		{"png of width 0", func() []byte { b := encoded(t, "png", 4, 4); copy(b[16:], []byte{0, 0, 0, 0}); return b }(), pause.ImageInfo{ContentType: "image/png"}, false},
	} {
		got, err := pause.InspectImage(c.data)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("%s: %+v, %v; want %+v (ok %v)", c.name, got, err, c.want, c.ok)
		}
	}
}
