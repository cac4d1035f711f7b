package pause

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// Image types the media library takes.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeWebP = "image/webp"
	TypeAVIF = "image/avif"
	TypeGIF  = "image/gif"
	TypeSVG  = "image/svg+xml"
)

// MediaExt returns the file extension of a content type the media library takes, or "" for
// any other type. SVG is not one: an SVG file is a document that can carry script.
func MediaExt(contentType string) string {
	switch contentType {
	case TypeJPEG:
		return "jpg"
	case TypePNG, TypeGIF, TypeWebP, TypeAVIF:
		return contentType[len("image/"):]
	}
	return ""
}

// MediaTypeOf returns the content type of a media library file's extension, or "".
func MediaTypeOf(ext string) string {
	switch ext {
	case "jpg":
		return TypeJPEG
	case "png", "gif", "webp", "avif":
		return "image/" + ext
	}
	return ""
}

// ImageInfo is what the first bytes of an image file say: its type and size in pixels.
type ImageInfo struct {
	ContentType string
	Width       int
	Height      int
}

// PeekBytes is how many of a file's first bytes InspectImage needs at most: a JPEG's frame
// header may follow its metadata (EXIF, ICC profile), which is seldom longer.
const PeekBytes = 64 << 10

// errNoSize is the error of a file whose type is known but whose header ends before its size.
var errNoSize = errors.New("the image's header has no size in its first bytes")

// InspectImage reads the type of an image from its first bytes (never from its name) and its
// size from its header, without decoding its pixels: JPEG (the first frame header), PNG (IHDR),
// GIF (the logical screen), WebP (VP8, VP8L or VP8X) and AVIF (the ispe property of the
// primary item's container). Other content, SVG included, gets ContentType "" or TypeSVG, and
// no size. head is the file's first PeekBytes bytes (or all of it).
func InspectImage(head []byte) (ImageInfo, error) {
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		// The first chunk is IHDR: length, "IHDR", width, height (big-endian).
		if len(head) < 24 || string(head[12:16]) != "IHDR" {
			return ImageInfo{ContentType: TypePNG}, errNoSize
		}
		return sized(TypePNG, be32(head[16:]), be32(head[20:]))
	case bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")):
		if len(head) < 10 {
			return ImageInfo{ContentType: TypeGIF}, errNoSize
		}
		return sized(TypeGIF, int64(binary.LittleEndian.Uint16(head[6:])), int64(binary.LittleEndian.Uint16(head[8:])))
	case bytes.HasPrefix(head, []byte{0xff, 0xd8, 0xff}):
		return jpegInfo(head)
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return webpInfo(head)
	case len(head) >= 12 && string(head[4:8]) == "ftyp" && isAVIF(head):
		return avifInfo(head)
	case looksLikeSVG(head):
		return ImageInfo{ContentType: TypeSVG}, nil
	}
	return ImageInfo{}, nil
}

func be32(b []byte) int64 { return int64(binary.BigEndian.Uint32(b)) }

// sized returns the info, or errNoSize if a side is 0 or beyond what any format here allows.
func sized(t string, w, h int64) (ImageInfo, error) {
	if w <= 0 || h <= 0 || w > 1<<24 || h > 1<<24 {
		return ImageInfo{ContentType: t}, errNoSize
	}
	return ImageInfo{ContentType: t, Width: int(w), Height: int(h)}, nil
}

// jpegInfo walks the JPEG's markers to the first start of frame (SOF0 to SOF15 but DHT 0xc4,
// JPG 0xc8 and DAC 0xcc), whose height and width follow its precision byte.
func jpegInfo(b []byte) (ImageInfo, error) {
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xff {
			return ImageInfo{ContentType: TypeJPEG}, errNoSize
		}
		m := b[i+1]
		switch {
		case m == 0xff: // fill byte
			i++
			continue
		case m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7): // no length
			i += 2
			continue
		case m == 0xd9 || m == 0xda: // end of image, start of scan: no frame header before
			return ImageInfo{ContentType: TypeJPEG}, errNoSize
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc {
			if i+9 > len(b) || n < 7 {
				break
			}
			return sized(TypeJPEG, int64(binary.BigEndian.Uint16(b[i+7:])), int64(binary.BigEndian.Uint16(b[i+5:])))
		}
		if n < 2 {
			break
		}
		i += 2 + n
	}
	return ImageInfo{ContentType: TypeJPEG}, errNoSize
}

// webpInfo reads the first chunk after the RIFF header: VP8X (the canvas size, 24-bit, minus
// one), VP8L (14-bit sizes minus one after the 0x2f signature) or VP8 (the key frame's 14-bit
// sizes after its start code 9d 01 2a).
func webpInfo(b []byte) (ImageInfo, error) {
	none := ImageInfo{ContentType: TypeWebP}
	if len(b) < 25 || (string(b[12:16]) != "VP8L" && len(b) < 30) {
		return none, errNoSize
	}
	le24 := func(p []byte) int64 { return int64(p[0]) | int64(p[1])<<8 | int64(p[2])<<16 }
	switch string(b[12:16]) {
	case "VP8X":
		return sized(TypeWebP, le24(b[24:])+1, le24(b[27:])+1)
	case "VP8L":
		if b[20] != 0x2f {
			return none, errNoSize
		}
		v := binary.LittleEndian.Uint32(b[21:])
		return sized(TypeWebP, int64(v&0x3fff)+1, int64(v>>14&0x3fff)+1)
	case "VP8 ":
		if b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a {
			return none, errNoSize
		}
		return sized(TypeWebP, int64(binary.LittleEndian.Uint16(b[26:])&0x3fff), int64(binary.LittleEndian.Uint16(b[28:])&0x3fff))
	}
	return none, errNoSize
}

// isAVIF reports whether the ftyp box names avif (or avis, an AVIF sequence) as its major or
// a compatible brand.
func isAVIF(b []byte) bool {
	n := int(binary.BigEndian.Uint32(b))
	if n < 16 || n > len(b) || n > 4096 {
		n = min(len(b), 4096)
	}
	for i := 8; i+4 <= n; i += 4 {
		if i == 12 {
			continue // minor version
		}
		if brand := string(b[i : i+4]); brand == "avif" || brand == "avis" {
			return true
		}
	}
	return false
}

// avifInfo finds the image spatial extents property (ispe) in meta/iprp/ipco: its width and
// height are the image's. With several ispe boxes (a grid, a thumbnail), the largest is the
// image's.
func avifInfo(b []byte) (ImageInfo, error) {
	var w, h int64
	var walk func(p []byte, depth int)
	walk = func(p []byte, depth int) {
		for len(p) >= 8 && depth < 6 {
			n := int64(binary.BigEndian.Uint32(p))
			typ := string(p[4:8])
			hdr := int64(8)
			if n == 1 && len(p) >= 16 {
				n, hdr = int64(binary.BigEndian.Uint64(p[8:])), 16
			} else if n == 0 {
				n = int64(len(p))
			}
			if n < hdr || n > int64(len(p)) {
				n = int64(len(p)) // truncated: read what is here
			}
			body := p[hdr:n]
			switch typ {
			case "meta":
				if len(body) >= 4 {
					walk(body[4:], depth+1) // a full box: version and flags first
				}
			case "iprp", "ipco":
				walk(body, depth+1)
			case "ispe":
				if len(body) >= 12 {
					bw, bh := be32(body[4:]), be32(body[8:])
					if bw*bh > w*h {
						w, h = bw, bh
					}
				}
			}
			p = p[n:]
		}
	}
	walk(b, 0)
	return sized(TypeAVIF, w, h)
}

// looksLikeSVG reports whether the text starts (after a byte order mark, white space, an XML
// declaration, comments or a doctype) with an svg element, or names one early.
func looksLikeSVG(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 || b[0] != '<' {
		return false
	}
	return bytes.Contains(bytes.ToLower(b[:min(len(b), 4096)]), []byte("<svg"))
}
