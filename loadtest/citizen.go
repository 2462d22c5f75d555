package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// texts are what citizens write: each gets a reply of its own kind, so an inversion of two
// replies shows. Consecutive messages of one citizen always differ.
var texts = []string{"hola", "ajuda", "adeu", "quin temps farà demà?"}

// maxPerCitizen bounds the messages of one citizen, so that Telegram update ids and Twilio
// message sids of different citizens never meet.
const maxPerCitizen = 100_000

// citizen is one simulated phone or Telegram user and what it sent.
type citizen struct {
	channel  string // "sms" or "telegram"
	address  string // the phone number, or the Telegram chat id: the To of its replies
	tag      string // tells the message ids of a run's citizens from the calibration's
	index    int
	texts    []string
	accepted []time.Time // when each distinct message was accepted
}

// smsCitizen and telegramCitizen make citizen i of a group (tag "load" or "cal").
func smsCitizen(tag string, i int, phone string) *citizen {
	return &citizen{channel: "sms", address: phone, tag: tag, index: i}
}

func telegramCitizen(tag string, i int, chat int64) *citizen {
	return &citizen{channel: "telegram", address: strconv.FormatInt(chat, 10), tag: tag, index: i}
}

// plan makes the citizens of cfg and deals the messages out among them: a share
// cfg.Telegram of them, spread evenly, on Telegram.
func plan(cfg Config) []*citizen {
	cs := make([]*citizen, cfg.Citizens)
	for i := range cs {
		if int(float64(i+1)*cfg.Telegram) > int(float64(i)*cfg.Telegram) {
			cs[i] = telegramCitizen("load", i, 700_000_000+int64(i))
		} else {
			cs[i] = smsCitizen("load", i, fmt.Sprintf("+3461%07d", i))
		}
	}
	for i := range cfg.Messages {
		c := cs[i%len(cs)]
		start := i / len(cs) // each citizen starts on another text
		c.texts = append(c.texts, texts[(start+len(c.texts)+i)%len(texts)])
	}
	for _, c := range cs { // no two consecutive texts alike
		for j := 1; j < len(c.texts); j++ {
			if c.texts[j] == c.texts[j-1] {
				c.texts[j] = texts[(slices.Index(texts, c.texts[j])+1)%len(texts)]
			}
		}
	}
	return cs
}

// webhook is one request a provider makes to a replica.
type webhook struct {
	path, contentType string
	header, value     string // the authenticating header
	body              []byte
}

// webhook returns the request that carries message j of c: a Twilio SMS webhook signed
// with the auth token, or a Telegram update with the webhook secret. Sent twice it is the
// same request, as a provider's redelivery is.
func (c *citizen) webhook(j int) webhook {
	if c.channel == "telegram" {
		return telegramUpdate(c, j)
	}
	form := url.Values{"MessageSid": {fmt.Sprintf("SM%s%08d%06d", c.tag, c.index, j)}, "From": {c.address}, "To": {fromNumber},
		"Body": {c.texts[j]}, "NumMedia": {"0"}, "AccountSid": {accountSID}}
	return webhook{path: smsPath, contentType: "application/x-www-form-urlencoded",
		header: "X-Twilio-Signature", value: twilioSignature(authToken, publicURL+smsPath, form),
		body: []byte(form.Encode())}
}

// telegramUpdate is message j of c as the Bot API posts it: a text message in the private
// chat of a Catalan-speaking user whose id is the chat's.
func telegramUpdate(c *citizen, j int) webhook {
	chat, _ := strconv.ParseInt(c.address, 10, 64)
	base := int64(c.index+1) * maxPerCitizen
	if c.tag == "load" {
		base += 1 << 40
	}
	type user struct {
		ID        int64  `json:"id"`
		IsBot     bool   `json:"is_bot"`
		FirstName string `json:"first_name"`
		Language  string `json:"language_code"`
	}
	type chatT struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	}
	type message struct {
		ID   int    `json:"message_id"`
		From user   `json:"from"`
		Chat chatT  `json:"chat"`
		Date int64  `json:"date"`
		Text string `json:"text"`
	}
	body, _ := json.Marshal(struct {
		ID      int64   `json:"update_id"`
		Message message `json:"message"`
	}{base + int64(j), message{
		ID: j + 1, From: user{ID: chat, FirstName: "Ciutadà", Language: "ca"},
		Chat: chatT{ID: chat, Type: "private"}, Date: time.Now().Unix(), Text: c.texts[j],
	}})
	return webhook{path: telegramPath, contentType: "application/json",
		header: "X-Telegram-Bot-Api-Secret-Token", value: telegramSecret, body: body}
}

// post sends a webhook to replica i, or the next one up, until one accepts it (a load
// balancer retrying on a dead backend, or the provider on a 5xx).
func post(ctx context.Context, client *http.Client, replicas []*Replica, h webhook, i int, retries *atomic.Int64) {
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return
		}
		u, up := replicas[(i+attempt)%len(replicas)].Up()
		if !up {
			if attempt%len(replicas) == len(replicas)-1 {
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u+h.path, bytes.NewReader(h.body))
		req.Header.Set("Content-Type", h.contentType)
		req.Header.Set(h.header, h.value)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body) // read to the end, so the connection is reused
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		retries.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
}

// calibrate learns the reply bodies of each text on each channel, so the order check can
// tell the replies apart: a fresh citizen a channel and text writes that text first (a
// first message may be answered otherwise), then every text after every other, waiting
// for each reply. The citizens write at once, each in turn.
func calibrate(ctx context.Context, client *http.Client, replicas []*Replica, prov *Provider, channels []string) (map[string]map[string]int, error) {
	type learnt struct {
		channel string
		body    string
		text    int
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		seen   []learnt
		failed error
	)
	for _, channel := range channels {
		for first := range texts {
			wg.Go(func() {
				c := smsCitizen("cal", first, fmt.Sprintf("+3469%07d", first))
				if channel == "telegram" {
					c = telegramCitizen("cal", first, 690_000_000+int64(first))
				}
				order := []int{first}
				for j := range texts {
					order = append(order, (first+1+j)%len(texts), (first+j)%len(texts))
				}
				for _, ti := range order {
					c.texts = append(c.texts, texts[ti])
				}
				var retries atomic.Int64
				for j, ti := range order {
					post(ctx, client, replicas, c.webhook(j), 0, &retries)
					deadline := time.Now().Add(30 * time.Second)
					var got []Sent
					for got = prov.SentTo(channel, c.address); len(got) <= j; got = prov.SentTo(channel, c.address) {
						if time.Now().After(deadline) || ctx.Err() != nil {
							mu.Lock()
							failed = fmt.Errorf("loadtest: no %s reply to %q while calibrating", channel, texts[ti])
							mu.Unlock()
							return
						}
						time.Sleep(20 * time.Millisecond)
					}
					mu.Lock()
					seen = append(seen, learnt{channel, got[j].Body, ti})
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if failed != nil {
		return nil, failed
	}
	classes := map[string]map[string]int{}
	for _, l := range seen {
		cls := classes[l.channel]
		if cls == nil {
			cls = map[string]int{}
			classes[l.channel] = cls
		}
		if prev, ok := cls[l.body]; ok && prev != l.text {
			cls[l.body] = -1 // two texts, one reply: it tells nothing
		} else {
			cls[l.body] = l.text
		}
	}
	return classes, nil
}
