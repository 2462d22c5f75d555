package loadtest

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// window is Telegram's at-least-once window: with no lookup, a reply whose send had an
// unknown outcome is sent again. A copy lies in it when the sender never had the provider's
// answer (Sent.Unanswered), or when it was taken within one delivery lease before the kill
// of a replica (killedAt), or within inFlight after it: its worker may have died before
// recording it sent.
type window struct {
	killedAt time.Time
	lease    time.Duration
}

// inFlight is how long after a replica's kill (killedAt: once the process is gone) the
// provider may still take a request the replica wrote before it died: the provider reads
// it from its socket when its goroutine runs, which a loaded machine delays (by 89 ms in a
// CI run where the copy was counted as doubled).
const inFlight = time.Second

// holds reports whether a second copy of s is within the window.
func (w window) holds(s Sent) bool {
	if s.Channel != "telegram" {
		return false // Twilio sends are looked up before they are repeated
	}
	if s.Unanswered {
		return true
	}
	return !w.killedAt.IsZero() && !s.At.After(w.killedAt.Add(inFlight)) && w.killedAt.Sub(s.At) <= w.lease
}

// check matches each citizen's replies with its messages, in order. A reply equal to the
// reply just before it, when that one's text is known, is a copy of it: a conversation's
// replies go out one at a time, in turn order, so a repeated reply follows its first copy.
// The conversations with anything lost, doubled, reordered or sent again are described on
// anomalies, when not nil.
func check(cs []*citizen, sent []Sent, classes map[string]map[string]int, w window, anomalies io.Writer) Report {
	byTo := map[string][]Sent{}
	for _, s := range sent {
		k := s.Channel + " " + s.To
		byTo[k] = append(byTo[k], s)
	}
	rep := Report{Channels: map[string]Tally{}, ChannelReply: map[string][2]time.Duration{}}
	var lat []time.Duration
	latBy := map[string][]time.Duration{}
	for _, c := range cs {
		got := byTo[c.channel+" "+c.address]
		cls := classes[c.channel]
		t := Tally{Citizens: 1, Inbound: len(c.accepted), Replies: len(got)}
		k := 0 // the message the next reply should answer
		for i, s := range got {
			class, known := cls[s.Body]
			known = known && class >= 0
			if i > 0 && known && s.Body == got[i-1].Body {
				if w.holds(got[i-1]) {
					t.WindowDuplicates++
				} else {
					t.Doubled++
				}
				continue
			}
			if k >= len(c.accepted) {
				t.Doubled++
				continue
			}
			switch {
			case !known:
				t.Unclassified++
			case texts[class] != c.texts[k]:
				t.Reordered++
			}
			lat = append(lat, s.At.Sub(c.accepted[k]))
			latBy[c.channel] = append(latBy[c.channel], s.At.Sub(c.accepted[k]))
			k++
		}
		t.Lost = len(c.accepted) - k
		if anomalies != nil && (t.Lost > 0 || t.Doubled > 0 || t.Reordered > 0 || t.WindowDuplicates > 0) {
			describe(anomalies, c, got, cls, t)
		}
		ct := rep.Channels[c.channel]
		ct.add(t)
		rep.Channels[c.channel] = ct
		rep.add(t)
	}
	rep.ReplyP50, rep.ReplyP99 = percentile(lat, 50), percentile(lat, 99)
	for ch, l := range latBy {
		rep.ChannelReply[ch] = [2]time.Duration{percentile(l, 50), percentile(l, 99)}
	}
	return rep
}

// percentile returns the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(min(i, len(s))-1, 0)]
}

// describe writes one conversation: what the citizen wrote, and each reply with the text
// it answers (by its calibrated class), when the provider took it and whether the sender
// ever had the answer.
func describe(w io.Writer, c *citizen, got []Sent, cls map[string]int, t Tally) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n  wrote:", c.channel, c.address, t)
	for j, text := range c.texts {
		fmt.Fprintf(&b, " %d:%q", j, text)
	}
	for i, s := range got {
		answers := "?"
		if class, ok := cls[s.Body]; ok && class >= 0 {
			answers = texts[class]
		}
		fmt.Fprintf(&b, "\n  reply %d answers %q, taken %s", i, answers, s.At.Format("15:04:05.000"))
		if s.Unanswered {
			b.WriteString(", unanswered")
		}
	}
	b.WriteString("\n")
	io.WriteString(w, b.String())
}
