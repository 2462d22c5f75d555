// Package lines reads standard input one line at a time for the commands that take one
// message a line (mygov chat, mygov classify), bounding the length of a line.
package lines

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// Max is the longest line a Reader returns whole; the rest of a longer line is skipped.
const Max = 64 << 10

// Reader reads lines of at most Max bytes.
type Reader struct{ r *bufio.Reader }

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader { return &Reader{bufio.NewReaderSize(r, Max)} }

// Next returns the next line without its end of line, and io.EOF with the last line when
// the input ends (the line may then be empty).
func (r *Reader) Next() (string, error) {
	b, err := r.r.ReadSlice('\n')
	line := strings.TrimRight(string(b), "\r\n")
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = r.r.ReadSlice('\n')
	}
	return line, err
}
