package inbox

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/records"
)

// Paths of the inbox.
const (
	Prefix     = "/inbox/"
	cookieName = "mygov_inbox"
	// loginCookie carries the CSRF token of the login form (double submit): there is no
	// session yet to hold it.
	loginCookie = "mygov_inbox_login"
)

// Limits of what a worker may send.
const (
	MaxReplyRunes  = 1200
	MaxNoteRunes   = 4000
	MaxReasonRunes = 500
	maxFormBytes   = 32 << 10
)

// contentSecurityPolicy allows no inline script and nothing from elsewhere: a script that
// slipped past the templates' escaping still would not run.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Server serves the inbox under Prefix. It is safe for concurrent use.
type Server struct {
	store   Store
	catalog *locales.Catalog
	matcher dialog.Matcher
	log     *slog.Logger
	tmpl    *template.Template

	now          func() time.Time
	loc          *time.Location
	sessionTTL   time.Duration
	secure       bool
	pollInterval time.Duration

	perAccount, perAddress *limiter

	accessMu     sync.Mutex
	accessLogged map[[2]int64]time.Time // (staff, case) → last access event written

	stopOnce sync.Once
	stopped  chan struct{} // closed by Stop
}

// Stop ends the live-update streams; the pages reconnect to another replica or after a
// restart.
func (s *Server) Stop() { s.stopOnce.Do(func() { close(s.stopped) }) }

// Option sets an optional setting of the Server.
type Option func(*Server)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithLocation sets the time zone times are shown in (Europe/Madrid by default).
func WithLocation(loc *time.Location) Option { return func(s *Server) { s.loc = loc } }

// WithSessionTTL sets how long a session lasts (8 hours by default).
func WithSessionTTL(d time.Duration) Option { return func(s *Server) { s.sessionTTL = d } }

// WithSecureCookies marks the cookies Secure: set it when the inbox is served over HTTPS.
func WithSecureCookies(on bool) Option { return func(s *Server) { s.secure = on } }

// WithPollInterval sets how often live updates look at the database (1 s by default).
func WithPollInterval(d time.Duration) Option { return func(s *Server) { s.pollInterval = d } }

// WithLoginLimits sets how many failed logins an account and an address may make in
// window (5 and 20 in 15 minutes by default).
func WithLoginLimits(perAccount, perAddress int, window time.Duration) Option {
	return func(s *Server) {
		s.perAccount, s.perAddress = newLimiter(perAccount, window), newLimiter(perAddress, window)
	}
}

// New returns the inbox's HTTP server.
func New(store Store, catalog *locales.Catalog, matcher dialog.Matcher, logger *slog.Logger, opts ...Option) (*Server, error) {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Server{
		store: store, catalog: catalog, matcher: matcher, log: logger,
		now: time.Now, loc: DefaultHours().Location, sessionTTL: 8 * time.Hour, pollInterval: time.Second,
		perAccount: newLimiter(5, 15*time.Minute), perAddress: newLimiter(20, 15*time.Minute),
		accessLogged: map[[2]int64]time.Time{}, stopped: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	t, err := template.New("").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	s.tmpl = t
	return s, nil
}

// Routes mounts the inbox on mux under Prefix.
func (s *Server) Routes(mux *http.ServeMux) {
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix(Prefix+"static/", http.FileServer(http.FS(static)))
	mux.Handle("GET "+Prefix+"static/", s.secured(files))
	mux.Handle("GET "+Prefix+"{$}", s.secured(http.HandlerFunc(s.handleQueue)))
	mux.Handle("GET "+Prefix+"login", s.secured(http.HandlerFunc(s.handleLoginForm)))
	mux.Handle("POST "+Prefix+"login", s.secured(http.HandlerFunc(s.handleLogin)))
	mux.Handle("POST "+Prefix+"logout", s.secured(s.authed(s.handleLogout)))
	mux.Handle("POST "+Prefix+"lang", s.secured(s.authed(s.handleLang)))
	mux.Handle("GET "+Prefix+"queue", s.secured(s.authed(s.handleQueueFragment)))
	mux.Handle("GET "+Prefix+"events", s.secured(s.authed(s.handleEvents)))
	mux.Handle("GET "+Prefix+"c/{id}", s.secured(s.authed(s.handleCase)))
	mux.Handle("GET "+Prefix+"c/{id}/messages", s.secured(s.authed(s.handleTranscriptFragment)))
	mux.Handle("POST "+Prefix+"c/{id}/claim", s.secured(s.authed(s.handleClaim)))
	mux.Handle("POST "+Prefix+"c/{id}/release", s.secured(s.authed(s.handleRelease)))
	mux.Handle("POST "+Prefix+"c/{id}/assign", s.secured(s.authed(s.handleAssign)))
	mux.Handle("POST "+Prefix+"c/{id}/reply", s.secured(s.authed(s.handleReply)))
	mux.Handle("POST "+Prefix+"c/{id}/note", s.secured(s.authed(s.handleNote)))
	mux.Handle("POST "+Prefix+"c/{id}/close", s.secured(s.authed(s.handleClose)))
	mux.Handle(Prefix, s.secured(http.NotFoundHandler()))
}

// secured sets the security headers of every inbox answer and bounds request bodies.
func (s *Server) secured(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if !strings.HasPrefix(r.URL.Path, Prefix+"static/") {
			hd.Set("Cache-Control", "no-store")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		h.ServeHTTP(w, r)
	})
}

// caller is the logged-in staff member of a request.
type caller struct {
	staff   *Staff
	session *Session
}

func (c caller) lang() string { return locales.Lang(c.session.Lang) }

// authed runs h with the caller's session; without one, the conversation page redirects
// to the login form and everything else answers 401. A POST must carry the session's CSRF token.
func (s *Server) authed(h func(w http.ResponseWriter, r *http.Request, c caller)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.session(r)
		if !ok {
			if r.Method == http.MethodGet && r.Pattern == "GET "+Prefix+"c/{id}" {
				http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
				return
			}
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				http.Error(w, "bad form", http.StatusBadRequest)
				return
			}
			if !sameToken(r.PostForm.Get("csrf"), c.session.CSRF) {
				http.Error(w, "bad csrf token", http.StatusForbidden)
				return
			}
		}
		h(w, r, c)
	})
}

// session returns the caller of r when it has a live session of an enabled account.
func (s *Server) session(r *http.Request) (caller, bool) {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" || len(ck.Value) > 100 {
		return caller{}, false
	}
	ctx := r.Context()
	sess, err := s.store.FindSession(ctx, hashToken(ck.Value), s.now())
	if err != nil {
		if records.ErrorCode(err) != records.ENOTFOUND {
			s.log.ErrorContext(ctx, "inbox: find session", "err", err)
		}
		return caller{}, false
	}
	st, err := s.store.FindStaffByID(ctx, sess.StaffID)
	if err != nil || st.Disabled {
		return caller{}, false
	}
	return caller{staff: st, session: sess}, true
}

func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: Prefix, MaxAge: int(maxAge / time.Second),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// clientAddr is the address logins are limited by: the connection's peer. Behind a proxy
// every client shares the proxy's address, so the per-account limit carries the load.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// pageLang is the language of a page without a session: the login cookie's choice, then
// the browser's.
func pageLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == dialog.LangCA || l == dialog.LangES {
		return l
	}
	al := r.Header.Get("Accept-Language")
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(al)), "es") {
		return dialog.LangES
	}
	return dialog.LangCA
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	s.loginPage(w, r, pageLang(r), "", http.StatusOK)
}

// loginPage renders the login form with a fresh CSRF token in a cookie and a hidden input.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, lang, errKey string, status int) {
	token, _ := newToken()
	s.setCookie(w, loginCookie, token, time.Hour)
	s.render(w, status, "login", s.page(lang, caller{}, &loginData{CSRF: token, Error: errKey}))
}

type loginData struct {
	CSRF, Error, Email string
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameToken(r.PostForm.Get("csrf"), ck.Value) {
		http.Error(w, "bad csrf token", http.StatusForbidden)
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	password := r.PostForm.Get("password")
	now, addr := s.now(), clientAddr(r)
	if len(email) > 254 {
		email = email[:254]
	}
	if !s.perAccount.allowed(email, now) || !s.perAddress.allowed(addr, now) {
		s.log.WarnContext(r.Context(), "inbox: login refused, too many attempts")
		s.loginPage(w, r, lang, "ui.login.limited", http.StatusTooManyRequests)
		return
	}
	st, err := s.store.FindStaffByEmail(r.Context(), email)
	hash := dummyHash()
	if err == nil {
		hash = st.PasswordHash
	} else if records.ErrorCode(err) != records.ENOTFOUND {
		s.internal(w, r, "find staff", err)
		return
	}
	if !CheckPassword(hash, password) || err != nil || st.Disabled {
		s.perAccount.fail(email, now)
		s.perAddress.fail(addr, now)
		s.log.InfoContext(r.Context(), "inbox: login failed")
		s.loginPage(w, r, lang, "ui.login.failed", http.StatusUnauthorized)
		return
	}
	s.perAccount.reset(email)
	token, hashed := newToken()
	csrf, _ := newToken()
	sess := &Session{TokenHash: hashed, StaffID: st.ID, CSRF: csrf, Lang: lang, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
	if err := s.store.AddSession(r.Context(), sess); err != nil {
		s.internal(w, r, "add session", err)
		return
	}
	s.log.InfoContext(r.Context(), "inbox: login", "staff", st)
	s.setCookie(w, cookieName, token, s.sessionTTL)
	s.setCookie(w, loginCookie, "", -time.Second)
	http.Redirect(w, r, Prefix, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, c caller) {
	if err := s.store.DeleteSession(r.Context(), c.session.TokenHash); err != nil {
		s.internal(w, r, "delete session", err)
		return
	}
	s.setCookie(w, cookieName, "", -time.Second)
	http.Redirect(w, r, Prefix+"login?lang="+c.lang(), http.StatusSeeOther)
}

func (s *Server) handleLang(w http.ResponseWriter, r *http.Request, c caller) {
	lang := r.PostForm.Get("lang")
	if lang != dialog.LangCA && lang != dialog.LangES {
		http.Error(w, "unknown language", http.StatusBadRequest)
		return
	}
	c.session.Lang = lang
	// A new session row with the same token and the new language.
	if err := s.store.DeleteSession(r.Context(), c.session.TokenHash); err != nil {
		s.internal(w, r, "change language", err)
		return
	}
	if err := s.store.AddSession(r.Context(), c.session); err != nil {
		s.internal(w, r, "change language", err)
		return
	}
	http.Redirect(w, r, back(r), http.StatusSeeOther)
}

// back is where a form returns to: the page it came from when it is an inbox page.
func back(r *http.Request) string {
	if p := r.PostForm.Get("back"); strings.HasPrefix(p, Prefix) && !strings.Contains(p, "//") && !strings.ContainsAny(p, "\\\r\n") {
		return p
	}
	return Prefix
}

func (s *Server) handleQueue(w http.ResponseWriter, r *http.Request) {
	c, ok := s.session(r)
	if !ok {
		s.loginPage(w, r, pageLang(r), "", http.StatusOK)
		return
	}
	q, err := s.queue(r.Context(), c)
	if err != nil {
		s.internal(w, r, "queue", err)
		return
	}
	s.render(w, http.StatusOK, "queue", s.page(c.lang(), c, q))
}

func (s *Server) handleQueueFragment(w http.ResponseWriter, r *http.Request, c caller) {
	q, err := s.queue(r.Context(), c)
	if err != nil {
		s.internal(w, r, "queue", err)
		return
	}
	s.render(w, http.StatusOK, "queue-rows", s.page(c.lang(), c, q))
}

// caseOf returns the case named in the path when the caller may see it; otherwise it
// answers 404, so a guessed id reveals nothing.
func (s *Server) caseOf(w http.ResponseWriter, r *http.Request, c caller) (*Case, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return nil, false
	}
	cs, err := s.store.FindCase(r.Context(), id)
	if err != nil {
		if records.ErrorCode(err) != records.ENOTFOUND {
			s.internal(w, r, "find case", err)
			return nil, false
		}
		http.NotFound(w, r)
		return nil, false
	}
	if !c.staff.Sees(cs) {
		http.NotFound(w, r)
		return nil, false
	}
	return cs, true
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request, c caller) {
	cs, ok := s.caseOf(w, r, c)
	if !ok {
		return
	}
	v, err := s.caseView(r.Context(), c, cs, r.URL.Query().Get("e"))
	if err != nil {
		s.internal(w, r, "case", err)
		return
	}
	if err := s.recordAccess(r.Context(), c.staff, cs); err != nil {
		s.internal(w, r, "record access", err)
		return
	}
	s.render(w, http.StatusOK, "case", s.page(c.lang(), c, v))
}

func (s *Server) handleTranscriptFragment(w http.ResponseWriter, r *http.Request, c caller) {
	cs, ok := s.caseOf(w, r, c)
	if !ok {
		return
	}
	v, err := s.caseView(r.Context(), c, cs, "")
	if err != nil {
		s.internal(w, r, "case", err)
		return
	}
	s.render(w, http.StatusOK, "transcript", s.page(c.lang(), c, v))
}

// failed sends the worker back to the case page with a message, or answers status for a
// request that did not come from the page.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, cs *Case, status int, key string) {
	if r.PostForm.Has("back") {
		http.Redirect(w, r, Prefix+"c/"+strconv.FormatInt(cs.ID, 10)+"?e="+key, http.StatusSeeOther)
		return
	}
	http.Error(w, key, status)
}

func (s *Server) done(w http.ResponseWriter, r *http.Request, cs *Case) {
	http.Redirect(w, r, Prefix+"c/"+strconv.FormatInt(cs.ID, 10), http.StatusSeeOther)
}

func (s *Server) handleClaim(w http.ResponseWriter, r *http.Request, c caller) {
	cs, ok := s.caseOf(w, r, c)
	if !ok {
		return
	}
	s.assign(w, r, cs, cs.AssignedTo, c.staff.ID, cs.AssignedTo == 0 || c.staff.Role == RoleCoordinator)
}

func (s *Server) handleRelease(w http.ResponseWriter, r *http.Request, c caller) {
	cs, ok := s.caseOf(w, r, c)
	if !ok {
		return
	}
	s.assign(w, r, cs, cs.AssignedTo, 0, cs.AssignedTo == c.staff.ID || c.staff.Role == RoleCoordinator)
}

func (s *Server) handleAssign(w http.ResponseWriter, r *http.Request, c caller) {
	cs, ok := s.caseOf(w, r, c)
	if !ok {
		return
	}
	if c.staff.Role != RoleCoordinator {
		http.NotFound(w, r)
		return
	}
	to, err := strconv.ParseInt(r.PostForm.Get("staff"), 10, 64)
	if err != nil || to <= 0 {
		s.failed(w, r, cs, http.StatusBadRequest, "ui.error.invalid")
		return
	}
	st, err := s.store.FindStaffByID(r.Context(), to)
	if err != nil || st.Disabled || st.Municipality != cs.Municipality {
		s.failed(w, r, cs, http.StatusBadRequest, "ui.error.invalid")
		return
	}
	s.assign(w, r, cs, cs.AssignedTo, to, true)
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request, cs *Case, from, to int64, allowed bool) {
	if !allowed || !cs.Open() {
		s.failed(w, r, cs, http.StatusConflict, "ui.error.conflict")
		return
	}
	if err := s.store.AssignCase(r.Context(), cs.ID, from, to); err != nil {
		if records.ErrorCode(err) == records.ECONFLICT {
			s.failed(w, r, cs, http.StatusConflict, "ui.error.conflict")
			return
		}
		s.internal(w, r, "assign case", err)
		return
	}
	s.done(w, r, cs)
}

// formText returns a form field, sanitized, and the catalog key of what is wrong with it.
func formText(r *http.Request, name string, max int) (string, string) {
	v := dialog.Sanitize(r.PostForm.Get(name))
	switch {
	case v == "":
		return "", "ui.error.empty"
	case len([]rune(v)) > max:
		return "", "ui.error.too_long"
	}
	return v, ""
}

// caseText returns the case of the path and the text of the form's field, or answers why
// not and returns false.
func (s *Server) caseText(w http.ResponseWriter, r *http.Request, c caller, field string, max int) (*Case, string, bool) {
	cs, ok := s.caseOf(w, r, c)
	if !ok {
		return nil, "", false
	}
	text, bad := formText(r, field, max)
	if bad != "" {
		s.failed(w, r, cs, http.StatusBadRequest, bad)
		return nil, "", false
	}
	return cs, text, true
}

func (s *Server) handleReply(w http.ResponseWriter, r *http.Request, c caller) {
	cs, text, ok := s.caseText(w, r, c, "text", MaxReplyRunes)
	if !ok {
		return
	}
	err := s.Reply(r.Context(), c.staff, cs, text)
	switch records.ErrorCode(err) {
	case "":
		s.done(w, r, cs)
	case records.ECONFLICT:
		s.failed(w, r, cs, http.StatusConflict, "ui.error.conflict")
	case records.EUNAUTHORIZED:
		s.failed(w, r, cs, http.StatusConflict, "ui.conv.optedout")
	default:
		s.internal(w, r, "reply", err)
	}
}

func (s *Server) handleNote(w http.ResponseWriter, r *http.Request, c caller) {
	cs, text, ok := s.caseText(w, r, c, "text", MaxNoteRunes)
	if !ok {
		return
	}
	if err := s.store.AddNote(r.Context(), &Note{CaseID: cs.ID, StaffID: c.staff.ID, Text: text, CreatedAt: s.now()}); err != nil {
		s.internal(w, r, "add note", err)
		return
	}
	s.done(w, r, cs)
}

func (s *Server) handleClose(w http.ResponseWriter, r *http.Request, c caller) {
	cs, reason, ok := s.caseText(w, r, c, "reason", MaxReasonRunes)
	if !ok {
		return
	}
	err := s.CloseCase(r.Context(), cs, reason)
	switch records.ErrorCode(err) {
	case "":
		http.Redirect(w, r, Prefix, http.StatusSeeOther)
	case records.ECONFLICT:
		s.failed(w, r, cs, http.StatusConflict, "ui.error.conflict")
	default:
		s.internal(w, r, "close", err)
	}
}

// internal logs err and answers a plain 500.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, op string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.ErrorContext(r.Context(), "inbox: "+op, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.tmpl.ExecuteTemplate(w, name, data); err != nil {
		s.log.Error("inbox: render", "template", name, "err", err)
	}
}
