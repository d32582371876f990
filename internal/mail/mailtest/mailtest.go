// Package mailtest runs a real SMTP server in-process for tests
// (github.com/emersion/go-smtp): it keeps every message it accepts and
// can be told to refuse the next ones with a given reply code.
package mailtest

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data string // headers and body, as received
}

// Server is a running SMTP server on 127.0.0.1.
type Server struct {
	Addr string
	Host string
	Port int

	mu      sync.Mutex
	msgs    []Message
	refuse  int // refuse this many DATA commands …
	code    int // … with this reply code
	srv     *smtp.Server
	arrived chan struct{}
}

// Start starts a server that the test stops at its end.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	s := &Server{Addr: ln.Addr().String(), arrived: make(chan struct{}, 1024)}
	host, port, _ := net.SplitHostPort(s.Addr)
	s.Host = host
	for _, c := range port {
		s.Port = s.Port*10 + int(c-'0')
	}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.ErrorLog = quiet{}
	go s.srv.Serve(ln)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// URL is the server as a trustledger --smtp URL.
func (s *Server) URL(from string) string {
	return "smtp://" + s.Addr + "?tls=none&from=" + from
}

// Refuse makes the next n messages fail with the reply code (451: try
// again later, 550: never).
func (s *Server) Refuse(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse, s.code = n, code
}

// Messages returns what was accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait waits until at least n messages arrived or the timeout passed,
// and returns what arrived.
func (s *Server) Wait(n int, timeout time.Duration) []Message {
	deadline := time.After(timeout)
	for {
		if m := s.Messages(); len(m) >= n {
			return m
		}
		select {
		case <-s.arrived:
		case <-deadline:
			return s.Messages()
		}
	}
}

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s := x.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse > 0 {
		s.refuse--
		return &smtp.SMTPError{Code: s.code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: "refused by the test"}
	}
	s.msgs = append(s.msgs, Message{From: x.from, To: x.to, Data: strings.ReplaceAll(string(b), "\r\n", "\n")})
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	return nil
}

type quiet struct{}

func (quiet) Printf(string, ...any) {}
func (quiet) Println(...any)        {}
