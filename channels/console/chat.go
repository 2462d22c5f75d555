package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/lines"
)

// replyTimeout bounds the wait for the replies of one turn to be printed.
const replyTimeout = 30 * time.Second

// Session is who talks in a terminal conversation.
type Session struct {
	Phone string // the citizen's phone, as proven as a Telegram contact ("chat --as"); "" for anonymous
	Lang  string // dialog.LangCA or dialog.LangES to fix the language; "" to let the engine choose
	ID    string // tells this run's message ids from earlier runs' on the same conversation
}

// Converse is the chat loop: it reads one message a line from r, hands it to h as an
// inbound message of this channel, and waits until the turn's replies are printed before
// it reads the next line. It returns nil at the end of r.
func (c *Channel) Converse(ctx context.Context, h dialog.Handler, s Session, r io.Reader) error {
	if s.ID == "" {
		s.ID = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	in := lines.NewReader(r)
	for n := 1; ; n++ {
		line, err := in.Next()
		if errors.Is(err, io.EOF) && line == "" {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("console: read: %w", err)
		}
		res, herr := h.Handle(ctx, dialog.Inbound{
			Channel:   Name,
			Caps:      Capabilities,
			Address:   c.Address,
			MessageID: s.ID + "-" + strconv.Itoa(n),
			Kind:      dialog.KindText,
			Text:      line,
			Phone:     s.Phone,
			LangHint:  s.Lang,
			LangSet:   s.Lang != "",
		})
		if herr != nil {
			return fmt.Errorf("console: %w", herr)
		}
		ids := make([]int64, 0, len(res.Outbound))
		for _, o := range res.Outbound {
			ids = append(ids, o.ID)
		}
		wctx, cancel := context.WithTimeout(ctx, replyTimeout)
		werr := c.Wait(wctx, ids)
		cancel()
		if werr != nil {
			return fmt.Errorf("console: replies not printed: %w", werr)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}
